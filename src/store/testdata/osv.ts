/**
 * OSV records as the OSV updaters write them, for the store contract:
 * one language record and one distribution record with ranges.
 */
import type { DistributionKey, Vulnerability } from '../../vuln/types.js';

/** A language record as the OSV updaters write it (PYSEC-2021-140). */
export const PYPI_RECORD: Vulnerability = {
  updater: 'osv-pypi',
  name: 'PYSEC-2021-140',
  description: 'An infinite loop in SMLLexer in Pygments versions 1.5 to 2.7.3',
  issued: '2021-03-23T17:15:00Z',
  links: 'https://www.cve.org/CVERecord?id=CVE-2021-20270',
  severity: '',
  normalizedSeverity: 'Unknown',
  packageName: 'pygments',
  packageKind: 'binary',
  distribution: { did: '', versionId: '' },
  fixedInVersion: '2.7.4',
  scheme: 'pep440',
  ecosystem: 'PyPI',
  ranges: [{ events: [{ introduced: '1.5' }, { fixed: '2.7.4' }] }],
  versions: ['1.5', '1.6rc1', '2.6.1'],
};

/** A distribution record with ranges and no ecosystem (an ALSA). */
export const ALMA_RECORD: Vulnerability = {
  updater: 'osv-almalinux',
  name: 'ALSA-2024:1234',
  description: '',
  issued: '',
  links: '',
  severity: 'Important',
  normalizedSeverity: 'High',
  packageName: 'openssl-libs',
  packageKind: 'binary',
  distribution: { did: 'almalinux', versionId: '9' },
  fixedInVersion: '1:3.0.7-25.el9_3',
  scheme: 'rpm',
  ranges: [
    { events: [{ introduced: '0' }, { fixed: '1:3.0.7-25.el9_3' }] },
    {
      events: [
        { introduced: '1:3.2.0-1.el9' },
        { lastAffected: '1:3.2.1-1.el9' },
      ],
    },
    { events: [{ introduced: '2' }, { limit: '3' }] },
  ],
};

/** The release key of every language record. */
export const LANGUAGE: DistributionKey = { did: '', versionId: '' };
