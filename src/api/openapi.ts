/**
 * The OpenAPI 3 description claro serves at `GET /openapi/v1`, where
 * Clair serves its own. It describes the routes of src/api as they are;
 * keep both in step.
 */
import { createHash } from 'node:crypto';

const json = (schema: object) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const answer = (description: string, schema?: object, headers?: object) => ({
  description,
  ...(schema ? { content: json(schema) } : {}),
  ...(headers ? { headers } : {}),
});
const error = (description: string) => answer(description, ref('error'));
const header = (description: string) => ({
  description,
  schema: { type: 'string' },
});

const digestParam = {
  name: 'digest',
  in: 'path',
  required: true,
  description: 'Manifest digest',
  schema: ref('digest'),
};

const common = {
  '400': error('Malformed request'),
  '401': error('Missing or invalid bearer token (when auth is on)'),
  '500': error('Internal error'),
};

const paths = {
  '/indexer/api/v1/index_report': {
    post: {
      tags: ['indexer'],
      operationId: 'Index',
      summary: 'Index the layers of a manifest',
      requestBody: { required: true, content: json(ref('manifest')) },
      responses: {
        ...common,
        '201': answer('Index report', ref('index_report'), {
          Location: header('Path of the index report'),
          ETag: header('Indexer state, quoted'),
        }),
        '412': answer('If-None-Match named the current indexer state'),
        '413': error('Body larger than the configured limit'),
        '429': error('Too many index requests in flight; see Retry-After'),
        '500': error('Indexing failed (layer fetch, digest, layer format)'),
      },
    },
    delete: {
      tags: ['indexer'],
      operationId: 'DeleteManifests',
      summary: 'Delete index reports; answers the digests deleted',
      requestBody: { required: true, content: json(ref('bulk_delete')) },
      responses: { ...common, '200': answer('Deleted', ref('bulk_delete')) },
    },
  },
  '/indexer/api/v1/index_report/{digest}': {
    parameters: [digestParam],
    get: {
      tags: ['indexer'],
      operationId: 'GetIndexReport',
      summary: 'Retrieve the stored index report',
      responses: {
        ...common,
        '200': answer('Index report', ref('index_report'), {
          ETag: header('Indexer state the report was made with'),
        }),
        '304': answer('Not modified'),
        '404': error('Manifest not indexed'),
      },
    },
    delete: {
      tags: ['indexer'],
      operationId: 'DeleteManifest',
      summary: 'Delete the index report',
      responses: { ...common, '204': answer('Deleted, or was absent') },
    },
  },
  '/indexer/api/v1/index_state': {
    get: {
      tags: ['indexer'],
      operationId: 'IndexState',
      summary: 'Indexer state: changes when scanners do',
      responses: {
        '200': answer('State', ref('index_state'), {
          ETag: header('The state, quoted'),
        }),
        '304': answer('Not modified'),
        '401': common['401'],
      },
    },
  },
  '/indexer/api/v1/internal/affected_manifest': {
    post: {
      tags: ['indexer', 'internal'],
      operationId: 'AffectedManifests',
      summary: 'Manifests affected by the given vulnerabilities',
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          required: ['vulnerabilities'],
          properties: {
            vulnerabilities: { type: 'array', items: ref('vulnerability') },
          },
        }),
      },
      responses: {
        ...common,
        '200': answer('Affected manifests', ref('affected_manifests')),
      },
    },
  },
  '/matcher/api/v1/vulnerability_report/{digest}': {
    parameters: [digestParam],
    get: {
      tags: ['matcher'],
      operationId: 'GetVulnerabilityReport',
      summary: 'Match the index report against current vulnerability data',
      responses: {
        ...common,
        '200': answer('Vulnerability report', ref('vulnerability_report'), {
          'Cache-Control': header('max-age=<seconds>'),
          ETag: header('Digest of the report, quoted'),
        }),
        '202': answer('No vulnerability data loaded yet', ref('error')),
        '304': answer('Not modified'),
        '404': error('Manifest not indexed, or its indexing failed'),
      },
    },
  },
  '/matcher/api/v1/internal/update_operation': {
    get: {
      tags: ['matcher', 'internal'],
      operationId: 'GetUpdateOperations',
      summary: 'Update operations by updater, newest first',
      parameters: [
        { name: 'latest', in: 'query', schema: { type: 'boolean' } },
        {
          name: 'kind',
          in: 'query',
          schema: { type: 'string', enum: ['vulnerability', 'enrichment'] },
        },
      ],
      responses: {
        ...common,
        '200': answer('Operations', ref('update_operations'), {
          ETag: header('Ref of the newest operation, quoted'),
        }),
        '304': answer('Not modified'),
      },
    },
  },
  '/matcher/api/v1/internal/update_diff': {
    get: {
      tags: ['matcher', 'internal'],
      operationId: 'GetUpdateDiff',
      summary: 'Records added and removed between two operations',
      parameters: [
        { name: 'cur', in: 'query', required: true, schema: ref('ref') },
        { name: 'prev', in: 'query', schema: ref('ref') },
      ],
      responses: {
        ...common,
        '200': answer('Difference', ref('update_diff')),
        '404': error('Unknown operation ref'),
      },
    },
  },
  '/matcher/api/v1/updater_status': {
    get: {
      tags: ['matcher'],
      operationId: 'GetUpdaterStatus',
      summary: "Each updater's last attempt, success, error and records",
      responses: {
        '200': answer('Status', ref('updater_status')),
        '401': common['401'],
      },
    },
  },
  '/openapi/v1': {
    get: {
      tags: ['discovery'],
      operationId: 'OpenAPI',
      summary: 'This document',
      responses: { '200': answer('OpenAPI document', { type: 'object' }) },
    },
  },
};

const string = { type: 'string' };
const object = (properties: object, required: string[] = []) => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required } : {}),
});
const mapOf = (schema: object) => ({
  type: 'object',
  additionalProperties: schema,
});

const operation = object(
  {
    ref: ref('ref'),
    updater: string,
    fingerprint: string,
    date: { type: 'string', format: 'date-time' },
    kind: string,
  },
  ['ref', 'updater', 'fingerprint', 'date'],
);

const schemas = {
  digest: {
    type: 'string',
    pattern: '^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$',
  },
  ref: { type: 'string', format: 'uuid' },
  error: object({ code: string, message: string }, ['message']),
  layer: object(
    {
      hash: ref('digest'),
      uri: { type: 'string', format: 'uri' },
      headers: mapOf({ type: 'array', items: string }),
      media_type: string,
    },
    ['hash', 'uri'],
  ),
  manifest: object(
    {
      hash: ref('digest'),
      layers: { type: 'array', minItems: 1, items: ref('layer') },
    },
    ['hash', 'layers'],
  ),
  bulk_delete: { type: 'array', items: ref('digest') },
  index_state: object({ state: string }, ['state']),
  index_report: object(
    {
      manifest_hash: ref('digest'),
      state: { type: 'string', enum: ['IndexFinished', 'IndexError'] },
      packages: mapOf({ type: 'object' }),
      distributions: mapOf({ type: 'object' }),
      repository: mapOf({ type: 'object' }),
      environments: mapOf({ type: 'array', items: { type: 'object' } }),
      success: { type: 'boolean' },
      err: string,
      lower_layers_only: { type: 'object' },
      notices: { type: 'array', items: { type: 'object' } },
    },
    ['manifest_hash', 'state', 'success'],
  ),
  vulnerability: object(
    {
      id: string,
      updater: string,
      name: string,
      description: string,
      issued: string,
      links: string,
      severity: string,
      normalized_severity: string,
      package: object({ name: string, kind: string }),
      distribution: object({
        did: string,
        version_id: string,
        version_code_name: string,
      }),
      fixed_in_version: string,
    },
    ['name'],
  ),
  vulnerability_report: object(
    {
      manifest_hash: ref('digest'),
      packages: mapOf({ type: 'object' }),
      distributions: mapOf({ type: 'object' }),
      environments: mapOf({ type: 'array', items: { type: 'object' } }),
      vulnerabilities: mapOf(ref('vulnerability')),
      package_vulnerabilities: mapOf({ type: 'array', items: string }),
      enrichments: { type: 'object' },
      lower_layers_only: { type: 'object' },
      notices: { type: 'array', items: { type: 'object' } },
    },
    ['manifest_hash', 'vulnerabilities', 'package_vulnerabilities'],
  ),
  affected_manifests: object(
    {
      vulnerabilities: mapOf(ref('vulnerability')),
      vulnerable_manifests: mapOf({ type: 'array', items: string }),
    },
    ['vulnerable_manifests'],
  ),
  update_operations: mapOf({ type: 'array', items: operation }),
  update_diff: object(
    {
      prev: { ...operation, nullable: true },
      cur: operation,
      added: { type: 'array', items: ref('vulnerability') },
      removed: { type: 'array', items: ref('vulnerability') },
    },
    ['cur', 'added', 'removed'],
  ),
  updater_status: mapOf(
    object({
      last_attempt: { type: 'string', format: 'date-time' },
      last_success: { type: 'string', nullable: true },
      last_error: { type: 'string', nullable: true },
      records: { type: 'integer', nullable: true },
    }),
  ),
};

/** The document, as served. */
export const OPENAPI_DOCUMENT = {
  openapi: '3.0.3',
  info: {
    title: 'claro',
    description:
      "Clair v4 compatible indexer and matcher API. Routes tagged 'internal' " +
      'follow Clair and may change with it.',
    version: '1.0.0',
    license: { name: 'Apache-2.0' },
  },
  tags: [
    { name: 'indexer' },
    { name: 'matcher' },
    { name: 'internal' },
    { name: 'discovery' },
  ],
  paths,
  components: {
    schemas,
    securitySchemes: {
      psk: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    },
  },
};

/** The document's JSON text and its strong ETag, computed once. */
export const OPENAPI_JSON = JSON.stringify(OPENAPI_DOCUMENT);
export const OPENAPI_ETAG = `"${createHash('sha256')
  .update(OPENAPI_JSON)
  .digest('hex')
  .slice(0, 32)}"`;
