// The record filter parameters, defined once: their schema (validation types and
// OpenAPI text) and the parser that turns them into a RecordFilter with the
// reference's 400 messages (reference §5.1). Used by list, aggregate and export routes.

import { Type, type Static } from 'typebox';
import type { RecordFilter, TextMatch } from '../db/queries/record-filter.ts';
import { checkText, countCodePoints, invalidParams, PARAM_MAX_LENGTH, ParamProblem, parseDigits, POSTGRES_BIGINT_MAX } from './query-params.ts';

/** reference §5.2: MAX_INTERVAL_SEC, the default and largest created_in_* window */
export const MAX_WINDOW_SECONDS = 30 * 86_400;
const BUILD_MAX_LENGTH = 199; // reference: len(build) < 200
const MACHINE_ID_MAX_LENGTH = 32;
const DATE_HELP = 'ISO 8601 date (`2024-05-01`, UTC midnight) or date-time (`2024-05-01T12:00:00Z`), or epoch seconds';

const param = (description: string, example?: string) => Type.Optional(Type.String(example === undefined ? { description } : { description, example }));

/** Every filter parameter; endpoints spread these into their querystring schema. */
export const RECORD_FILTER_PROPERTIES = {
  severity: param('Severity, 1 (low) to 4 (critical). Reference message: `Severity should be a numeric value`.', '2'),
  severity_min: param('Lowest severity, 1 to 4.', '3'),
  severity_max: param('Highest severity, 1 to 4.', '4'),
  classification: param('`DOMAIN/PROBE/REST` for an exact match; `DOMAIN/*` or `DOMAIN/PROBE/*` (or `%` for `*`) for a prefix; `*` for any (lifts an endpoint default).', 'org.clearlinux/crash/*'),
  build: param('Build, exact; `"` and `\'` are removed first (reference). Printable ASCII, under 200 characters.', '31870'),
  machine_id: param('Machine id, exact, at most 32 characters.'),
  system_name: param('System name (OS), exact; `*` for any (lifts an endpoint default).', 'clear-linux-os'),
  arch: param('Architecture, exact.', 'x86_64'),
  host_type: param('Host type (platform), exact.'),
  data_source: param('`external`, `internal` or `all` (the X-CLR-External flag).', 'external'),
  payload: param('PostgreSQL POSIX regular expression the payload must match (`~`, case-sensitive).', 'segfault'),
  not_payload: param('PostgreSQL POSIX regular expression the payload must not match (`!~`).'),
  created_in_days: param('Only records received in the last N days (at most 30; larger values are clamped). Reference name: despite it, this is receive time.', '7'),
  created_in_sec: param('Only records received in the last N seconds (at most 30 days); ignored when created_in_days is given.', '3600'),
  received_from: param(`Received at or after: ${DATE_HELP}.`, '2024-05-01'),
  received_to: param(`Received before: ${DATE_HELP}.`, '2024-05-02'),
  created_from: param(`Created on the client (timestamp_client) at or after: ${DATE_HELP}.`),
  created_to: param(`Created on the client before: ${DATE_HELP}.`),
  ts_capture: param('Created on the client strictly after these epoch seconds (reference).'),
  from_id: param('Records with id >= from_id (inclusive, reference).'),
  before_id: param('Records with id < before_id: the cursor for the next page (the last id of the previous page).'),
};

export const RecordFilterQuery = Type.Object(RECORD_FILTER_PROPERTIES, { additionalProperties: true });
export type RecordFilterQuery = Static<typeof RecordFilterQuery>;

export interface RecordFilterOptions {
  /**
   * Apply the reference's 30-day receive window when no window or range parameter is given
   * (/api/records and the machine records). Aggregates and exports cover all records instead.
   */
  defaultWindow: boolean;
}

/** The query parameters that set a time range; any of them lifts the default 30-day window. */
export const RANGE_PARAMS = ['received_from', 'received_to', 'created_from', 'created_to'] as const;

/** Validates every filter parameter; throws one 400 naming each invalid one. */
export function parseRecordFilter(query: RecordFilterQuery, options: RecordFilterOptions): RecordFilter {
  const problems: ParamProblem[] = [];
  const filter: RecordFilter = {};
  const check = <T>(name: keyof RecordFilterQuery, message: string, parse: (value: string) => T | Bad): T | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    const result = value.includes('\u0000') ? new Bad('must not contain a NUL character') : parse(value);
    if (result instanceof Bad) {
      problems.push(new ParamProblem(name, message, result.detail));
      return undefined;
    }
    return result;
  };

  // The reference's parameters first, in the order it checked them.
  filter.severity = check('severity', 'Severity should be a numeric value', severityOf);
  filter.classification = check('classification', 'Classification value is invalid', classificationOf);
  filter.build = check('build', 'Build value is invalid', buildOf);
  filter.machineId = check('machine_id', 'Machine id value is invalid', (v) =>
    countCodePoints(v) <= MACHINE_ID_MAX_LENGTH ? v : new Bad(`must be at most ${MACHINE_ID_MAX_LENGTH} characters`),
  );
  const days = check('created_in_days', 'Created (in days) value is invalid', (v) => parseDigits(v) ?? new Bad('must be a whole number of days'));
  const secs = check('created_in_sec', 'Created (in seconds) value is invalid', (v) => parseDigits(v) ?? new Bad('must be a whole number of seconds'));
  filter.fromId = check('from_id', 'Provided record id value is invalid', idOf);
  filter.capturedAfter = check('ts_capture', 'Time stamp from record capture', (v) => bigintOf(v, 'must be epoch seconds (digits only)'));

  // Extensions.
  filter.severityMin = check('severity_min', 'Minimum severity value is invalid', severityOf);
  filter.severityMax = check('severity_max', 'Maximum severity value is invalid', severityOf);
  filter.systemName = check('system_name', 'System name value is invalid', (v): TextMatch | Bad => (v === '*' ? { kind: 'any' } : textOf(v, (t) => ({ kind: 'exact', value: t }))));
  filter.architecture = check('arch', 'Architecture value is invalid', plainText);
  filter.hostType = check('host_type', 'Host type value is invalid', plainText);
  filter.external = check('data_source', 'Data source value is invalid', dataSourceOf)?.external;
  filter.payloadRegex = check('payload', 'Payload regex is invalid', plainText);
  filter.notPayloadRegex = check('not_payload', 'Payload NOT regex is invalid', plainText);
  filter.receivedFrom = check('received_from', 'Received-from value is invalid', receivedTimeOf);
  filter.receivedTo = check('received_to', 'Received-to value is invalid', receivedTimeOf);
  filter.createdFrom = check('created_from', 'Created-from value is invalid', createdTimeOf);
  filter.createdTo = check('created_to', 'Created-to value is invalid', createdTimeOf);
  filter.beforeId = check('before_id', 'before_id value is invalid', idOf);

  if (problems.length > 0) throw invalidParams(problems);

  // reference §5.2: days win over seconds; any window is clamped to 30 days.
  const window = days !== undefined ? days * 86_400n : secs;
  if (window !== undefined) {
    filter.receivedWithinSeconds = Number(window > BigInt(MAX_WINDOW_SECONDS) ? BigInt(MAX_WINDOW_SECONDS) : window);
  } else if (options.defaultWindow && !RANGE_PARAMS.some((name) => query[name] !== undefined)) {
    filter.receivedWithinSeconds = MAX_WINDOW_SECONDS;
  }
  return stripUndefined(filter);
}

/** The filter's regular expressions with the parameter that gave each, for validation and errors. */
export function listFilterRegexes(filter: RecordFilter): { param: string; regex: string }[] {
  const regexes: { param: string; regex: string }[] = [];
  if (filter.payloadRegex !== undefined) regexes.push({ param: 'payload', regex: filter.payloadRegex });
  if (filter.notPayloadRegex !== undefined) regexes.push({ param: 'not_payload', regex: filter.notPayloadRegex });
  return regexes;
}

/** A rejected value with what was expected. */
class Bad {
  constructor(readonly detail: string) {}
}

function severityOf(value: string): number | Bad {
  const n = parseDigits(value);
  return n !== null && n >= 1n && n <= 4n ? Number(n) : new Bad('must be an integer from 1 to 4');
}

// reference: exactly three `/`-separated parts. Extensions: `*` (any), `A/*` and `A/B/*`
// (prefixes; `%` accepted for `*` as the reference UI wrote them).
function classificationOf(value: string): TextMatch | Bad {
  const problem = checkText(value, PARAM_MAX_LENGTH);
  if (problem) return new Bad(problem);
  if (value === '*') return { kind: 'any' };
  const parts = value.split('/');
  const last = parts[parts.length - 1];
  if ((parts.length === 2 || parts.length === 3) && (last === '*' || last === '%')) {
    return { kind: 'prefix', value: value.slice(0, -1) };
  }
  if (parts.length === 3) return { kind: 'exact', value };
  return new Bad('must be DOMAIN/PROBE/REST, DOMAIN/* or DOMAIN/PROBE/*');
}

// reference: quotes removed, then validate_x_header: length < 200, every character in
// Python's string.printable (ASCII letters, digits, punctuation and whitespace).
function buildOf(value: string): string | Bad {
  const build = value.replace(/["']/g, '');
  if (build.length > BUILD_MAX_LENGTH || !/^[\x20-\x7e\t\n\r\x0b\x0c]*$/.test(build)) {
    return new Bad('must be printable ASCII, under 200 characters');
  }
  return build;
}

function dataSourceOf(value: string): { external?: boolean } | Bad {
  if (value === 'external') return { external: true };
  if (value === 'internal') return { external: false };
  if (value === 'all') return {};
  return new Bad('must be external, internal or all');
}

function bigintOf(value: string, problem: string): bigint | Bad {
  const n = parseDigits(value);
  if (n === null) return new Bad(problem);
  return n <= POSTGRES_BIGINT_MAX ? n : new Bad(`must be at most ${POSTGRES_BIGINT_MAX}`);
}

function idOf(value: string): bigint | Bad {
  return bigintOf(value, 'must be a record id (digits only)');
}

function plainText(value: string): string | Bad {
  return textOf(value, (t) => t);
}

function textOf<T>(value: string, wrap: (text: string) => T): T | Bad {
  const problem = checkText(value, PARAM_MAX_LENGTH);
  return problem ? new Bad(problem) : wrap(value);
}

const MAX_DATE_MS = 8_640_000_000_000_000; // the largest JavaScript Date

/** An instant from epoch seconds, `YYYY-MM-DD` (UTC midnight) or an ISO date-time (UTC unless zoned). */
export function parseInstant(value: string): Date | null {
  if (/^[0-9]{1,16}$/.test(value)) {
    const ms = Number(value) * 1000;
    return ms <= MAX_DATE_MS ? new Date(ms) : null;
  }
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(value);
  if (!match) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = match;
  const ms = frac.padEnd(3, '0').slice(0, 3);
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}${zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  // Date rolls 2024-02-30 over to March; a real calendar date must round-trip.
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  return date;
}

function receivedTimeOf(value: string): Date | Bad {
  return parseInstant(value) ?? new Bad(`must be an ${DATE_HELP}`);
}

// timestamp_client holds whole seconds: a fractional bound rounds up so that
// `>= from` and `< to` keep their meaning.
function createdTimeOf(value: string): bigint | Bad {
  if (/^[0-9]+$/.test(value)) return bigintOf(value, '');
  const date = parseInstant(value);
  return date ? BigInt(Math.ceil(date.getTime() / 1000)) : new Bad(`must be an ${DATE_HELP}`);
}

function stripUndefined(filter: RecordFilter): RecordFilter {
  for (const key of Object.keys(filter) as (keyof RecordFilter)[]) {
    if (filter[key] === undefined) delete filter[key];
  }
  return filter;
}
