/**
 * OSV records as claro reads them: the fields of the OSV schema
 * (https://ossf.github.io/osv-schema/, version 1.7) that the updaters
 * use, parsed with zod from one JSON or YAML document. Fields claro does
 * not read are let through unchecked, so a record using newer parts of
 * the schema still parses.
 */
import { parse as parseYaml, type Tags } from 'yaml';
import { z } from 'zod';

import { errorMessage } from '../errors.js';

/** One `severity` entry: a type (`CVSS_V3`, `CVSS_V4`, ...) and score. */
const SeveritySchema = z.object({ type: z.string(), score: z.string() });

/**
 * One range event. The schema allows exactly one of the four keys per
 * event; an event with none or several is not an event (the range then
 * is not usable).
 */
const EventSchema = z.object({
  introduced: z.string().optional(),
  fixed: z.string().optional(),
  last_affected: z.string().optional(),
  limit: z.string().optional(),
});

const RangeSchema = z.object({
  type: z.string(),
  repo: z.string().optional(),
  events: z.array(EventSchema),
});

/** `ecosystem_specific` and `database_specific`: free-form objects. */
const SpecificSchema = z.record(z.string(), z.unknown()).nullish();

const AffectedSchema = z.object({
  package: z
    .object({
      ecosystem: z.string(),
      name: z.string(),
      purl: z.string().optional(),
    })
    .optional(),
  severity: z.array(SeveritySchema).nullish(),
  ranges: z.array(RangeSchema).nullish(),
  versions: z.array(z.string()).nullish(),
  ecosystem_specific: SpecificSchema,
  database_specific: SpecificSchema,
});

const ReferenceSchema = z.object({ type: z.string(), url: z.string() });

/** An optional text field; null (as YAML often writes it) is absent. */
const OptionalText = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined)
  .optional();

/** The record: `id` and `modified` are the schema's required fields. */
export const OsvRecordSchema = z.object({
  id: z.string().min(1),
  modified: z.string(),
  published: OptionalText,
  withdrawn: OptionalText,
  aliases: z.array(z.string()).nullish(),
  related: z.array(z.string()).nullish(),
  summary: OptionalText,
  details: OptionalText,
  severity: z.array(SeveritySchema).nullish(),
  affected: z.array(AffectedSchema).nullish(),
  references: z.array(ReferenceSchema).nullish(),
  database_specific: SpecificSchema,
});

export type OsvRecord = z.infer<typeof OsvRecordSchema>;
export type OsvAffected = z.infer<typeof AffectedSchema>;
export type OsvRange = z.infer<typeof RangeSchema>;
export type OsvEvent = z.infer<typeof EventSchema>;
export type OsvSeverity = z.infer<typeof SeveritySchema>;

/** Whether a document name is one the OSV readers parse. */
export function isRecordFile(name: string): boolean {
  return /\.(?:json|ya?ml)$/i.test(name);
}

/**
 * Parses one record document: JSON, or YAML when the name ends in
 * `.yaml`/`.yml`. Returns the record, or why it is not one (a message
 * naming the first problem, with its path for schema errors).
 */
export function parseRecord(name: string, body: Buffer): OsvRecord | string {
  let raw: unknown;
  try {
    const text = body.toString('utf8');
    raw = /\.ya?ml$/i.test(name)
      ? (parseYaml(text, { customTags: withoutNumbers }) as unknown)
      : (JSON.parse(text) as unknown);
  } catch (err) {
    return errorMessage(err);
  }

  const parsed = OsvRecordSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.join('.') ?? '';
  return `${path === '' ? 'record' : path}: ${issue?.message ?? 'invalid'}`;
}

const NUMBER_TAGS = new Set([
  'tag:yaml.org,2002:int',
  'tag:yaml.org,2002:float',
]);

/**
 * YAML's core schema without its number tags: plain scalars that look
 * like numbers stay strings, so an unquoted version such as `1.10` stays
 * `1.10` instead of becoming the number 1.1 (the PyPA advisory database
 * quotes most versions, not all). Nulls and booleans are still read.
 */
function withoutNumbers(tags: Tags): Tags {
  return tags.filter((t) => typeof t === 'string' || !NUMBER_TAGS.has(t.tag));
}
