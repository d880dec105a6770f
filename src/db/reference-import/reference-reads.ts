// The SELECTs run against a reference server's database: records page by page,
// guilty rows and the blacklist, in either schema layout. Never writes: the pool
// from openReferencePool runs every transaction read-only.

import { createPool, type Pool, type Queryable } from '../pool.ts';
import type { ReferenceSchema } from './reference-schema.ts';

/** A reference record with the flat schema's names; null wherever the source had no value or no column. */
export interface ReferenceRecordRow {
  id: number;
  /** Epoch seconds as PostgreSQL prints the numeric (or the normalised era's integer). */
  timestampServer: string | null;
  machineId: string | null;
  hostType: string | null;
  severity: number | null;
  classification: string | null;
  build: string | null;
  architecture: string | null;
  kernelVersion: string | null;
  recordVersion: number | null;
  timestampClient: string | null;
  payloadVersion: number | null;
  systemName: string | null;
  boardName: string | null;
  biosVersion: string | null;
  cpuModel: string | null;
  eventId: string | null;
  external: boolean | null;
  payload: string | null;
  /** The normalised era's `payload` bytea, read when its text copy (`backtrace`) is null. */
  payloadBytes: Buffer | null;
  guiltyId: number | null;
}

export interface ReferenceGuiltyRow {
  id: number;
  function: string | null;
  module: string | null;
  comment: string | null;
  hide: boolean | null;
}

export interface ReferenceBlacklistRow {
  function: string | null;
  module: string | null;
}

/** A pool on the reference database whose sessions cannot write (default_transaction_read_only). */
export function openReferencePool(url: string): Pool {
  return createPool(withReadOnlySessions(url), { max: 2, applicationName: 'telemetrics-server import-reference' });
}

/** The URL with `-c default_transaction_read_only=on` added to its `options` parameter (libpq's, which pg reads too). */
export function withReadOnlySessions(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('--from is not a PostgreSQL URL (postgresql://user:password@host:port/database)');
  }
  const setting = '-c default_transaction_read_only=on';
  const options = parsed.searchParams.get('options');
  parsed.searchParams.set('options', options ? `${options} ${setting}` : setting);
  return parsed.toString();
}

// Output field → [SQL type, column per layout]. Column names are fixed here, never taken from input.
const RECORD_FIELDS: ReadonlyArray<[alias: string, type: string, flat: string | null, normalised: string | null]> = [
  ['timestampServer', 'text', 'timestamp_server', 'tsp_server'],
  ['machineId', 'text', 'machine_id', 'machine_id'],
  ['hostType', 'text', 'host_type', 'machine'],
  ['severity', 'integer', 'severity', 'severity'],
  ['architecture', 'text', 'architecture', 'architecture'],
  ['kernelVersion', 'text', 'kernel_version', 'kernel_version'],
  ['recordVersion', 'integer', 'record_version', 'record_format_version'],
  ['timestampClient', 'text', 'timestamp_client', 'tsp'],
  ['payloadVersion', 'integer', 'payload_version', 'payload_format_version'],
  ['systemName', 'text', 'system_name', 'os_name'],
  ['boardName', 'text', 'board_name', 'board_name'],
  ['biosVersion', 'text', 'bios_version', 'bios_version'],
  ['cpuModel', 'text', 'cpu_model', 'cpu_model'],
  ['eventId', 'text', 'event_id', 'event_id'],
  ['external', 'boolean', 'external', 'external'],
  ['guiltyId', 'integer', 'guilty_id', 'guilty_id'],
];

/** The page query for this schema: `$1` = last id read, `$2` = page size. */
export function buildRecordPageQuery(schema: ReferenceSchema): string {
  const records = schema.columns.get('records') ?? new Map<string, string>();
  const column = (name: string | null, type: string) => (name !== null && records.has(name) ? `r.${name}::${type}` : `NULL::${type}`);
  const select = ['r.id::float8 AS "id"'];
  for (const [alias, type, flat, normalised] of RECORD_FIELDS) {
    select.push(`${column(schema.layout === 'flat' ? flat : normalised, type)} AS "${alias}"`);
  }
  let from = 'records r';
  if (schema.layout === 'flat') {
    select.push('r.build::text AS "build"', 'r.classification::text AS "classification"', 'r.payload::text AS "payload"', 'NULL::bytea AS "payloadBytes"');
  } else {
    from += ' LEFT JOIN build b ON b.id = r.build_id LEFT JOIN classification c ON c.id = r.classification_id';
    select.push('b.build::text AS "build"', 'c.classification::text AS "classification"');
    // `backtrace` holds the body as text; the older `payload` bytea the same bytes (§6.6).
    const text = records.has('backtrace') ? 'r.backtrace::text' : 'NULL::text';
    const bytes = records.get('payload') === 'bytea' ? 'r.payload' : 'NULL::bytea';
    select.push(`${text} AS "payload"`, `CASE WHEN ${text} IS NULL THEN ${bytes} END AS "payloadBytes"`);
  }
  return `SELECT ${select.join(', ')} FROM ${from} WHERE r.id > $1 ORDER BY r.id LIMIT $2`;
}

/** The next `limit` records after `afterId`, by id. */
export async function listReferenceRecords(db: Queryable, pageQuery: string, afterId: number, limit: number): Promise<ReferenceRecordRow[]> {
  const result = await db.query<ReferenceRecordRow>({ name: 'list-reference-records', text: pageQuery, values: [afterId, limit] });
  return result.rows;
}

/** How many records there are, for the progress display. */
export async function countReferenceRecords(db: Queryable): Promise<number> {
  const result = await db.query<{ n: number }>('SELECT count(*)::float8 AS n FROM records');
  return result.rows[0]?.n ?? 0;
}

/** Every guilty row (a few thousand at most), by id; no table gives none. */
export async function listReferenceGuilties(db: Queryable, schema: ReferenceSchema): Promise<ReferenceGuiltyRow[]> {
  const guilty = schema.columns.get('guilty');
  if (guilty === undefined) return [];
  const comment = guilty.has('comment') ? 'comment::text' : 'NULL::text';
  const hide = guilty.has('hide') ? 'hide' : 'false';
  const result = await db.query<ReferenceGuiltyRow>(
    `SELECT id::float8 AS id, function::text AS function, module::text AS module, ${comment} AS comment, ${hide} AS hide FROM guilty ORDER BY id`,
  );
  return result.rows;
}

/** Every blacklist entry; no table gives none. */
export async function listReferenceBlacklist(db: Queryable, schema: ReferenceSchema): Promise<ReferenceBlacklistRow[]> {
  if (!schema.columns.has('guilty_blacklisted')) return [];
  const result = await db.query<ReferenceBlacklistRow>('SELECT function::text AS function, module::text AS module FROM guilty_blacklisted ORDER BY id');
  return result.rows;
}
