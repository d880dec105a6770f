// SQL of the records table used by ingest: the one-statement batch insert (with
// duplicate detection through record_fingerprints) and partition upkeep.

import type { TelemetryRecord } from '../../protocol/record.ts';
import type { Queryable } from '../pool.ts';

export interface RecordToInsert {
  record: TelemetryRecord;
  receivedAt: Date;
  /** Content hash of the record; identical retries share it. */
  fingerprint: Buffer;
}

export interface InsertedRecord {
  /** null only when a concurrent writer claimed the fingerprint and has not committed yet */
  id: number | null;
  duplicate: boolean;
}

// One row of parameters per record in a VALUES list. Text parameters reach PostgreSQL as
// plain strings: arrays of them (the earlier unnest form) were parsed character by
// character by array_in, the largest item after compression in a profile of the backend
// (docs/PERFORMANCE.md: 10-18% of its CPU per record).
const COLUMN_TYPES = [
  'bytea', 'timestamptz', 'text', 'text', 'smallint', 'text', 'text', 'text', 'text', 'smallint', 'bigint',
  'integer', 'text', 'text', 'text', 'text', 'text', 'boolean', 'text',
] as const;
const INPUT_COLUMNS = `fingerprint, received_at, machine_id, host_type, severity, classification, build,
  architecture, kernel_version, record_version, timestamp_client, payload_version, system_name, board_name,
  bios_version, cpu_model, event_id, external, payload, ord`;
const PARAMS_PER_ROW = COLUMN_TYPES.length;

const COLUMNS = `received_at, machine_id, host_type, severity, classification, build, architecture, kernel_version,
  record_version, timestamp_client, payload_version, system_name, board_name, bios_version, cpu_model, event_id,
  external, payload`;

function inputValues(rowCount: number): string {
  const rows: string[] = [];
  for (let row = 0; row < rowCount; row++) {
    const first = row * PARAMS_PER_ROW + 1;
    rows.push(`(${COLUMN_TYPES.map((type, c) => `$${first + c}::${type}`).join(', ')}, ${row + 1})`);
  }
  return `input AS (SELECT * FROM (VALUES ${rows.join(',\n')}) AS t(${INPUT_COLUMNS}))`;
}

// A fingerprint seen within the window is a retry: answer its stored id. An older one is
// taken over by the new record. Fingerprints must be unique within one call.
function deduplicatedInsert(rowCount: number): string {
  const windowParam = rowCount * PARAMS_PER_ROW + 1;
  return `WITH ${inputValues(rowCount)},
claimed AS (
  INSERT INTO record_fingerprints AS f (fingerprint, record_id, received_at)
  SELECT fingerprint, nextval('records_id_seq'), received_at FROM input
  ON CONFLICT (fingerprint) DO UPDATE SET record_id = excluded.record_id, received_at = excluded.received_at
    WHERE f.received_at < excluded.received_at - make_interval(hours => $${windowParam}::int)
  RETURNING fingerprint, record_id
),
stored AS (
  INSERT INTO records (id, ${COLUMNS})
  SELECT c.record_id, ${COLUMNS.split(',').map((c) => `i.${c.trim()}`).join(', ')}
  FROM input i JOIN claimed c USING (fingerprint)
  RETURNING id
)
SELECT i.ord::int AS ord, coalesce(c.record_id, f.record_id)::float8 AS id, (c.record_id IS NULL) AS duplicate
FROM input i
LEFT JOIN claimed c USING (fingerprint)
LEFT JOIN record_fingerprints f ON c.record_id IS NULL AND f.fingerprint = i.fingerprint
ORDER BY i.ord`;
}

function plainInsert(rowCount: number): string {
  return `WITH ${inputValues(rowCount)}
INSERT INTO records (${COLUMNS})
SELECT ${COLUMNS} FROM input ORDER BY ord
RETURNING id::float8 AS id`;
}

// Batches up to this size get a named statement, parsed and planned once per connection
// and size; larger ones (a backlog after an outage) are rare and pay for one parse each,
// which keeps each connection's statement cache small.
const NAMED_UP_TO_ROWS = 64;
const statementTexts = new Map<string, string>();

function statement(kind: 'deduplicated' | 'plain', rowCount: number): { name?: string; text: string } {
  const build = kind === 'deduplicated' ? deduplicatedInsert : plainInsert;
  if (rowCount > NAMED_UP_TO_ROWS) return { text: build(rowCount) };
  const name = `insert-records-${kind}-${rowCount}`;
  let text = statementTexts.get(name);
  if (text === undefined) {
    text = build(rowCount);
    statementTexts.set(name, text);
  }
  return { name, text };
}

/** Inserts a batch in one statement; answers per input row, in order. */
export async function insertRecords(db: Queryable, rows: readonly RecordToInsert[], duplicateWindowHours: number): Promise<InsertedRecord[]> {
  const values = rowParameters(rows);
  if (duplicateWindowHours > 0) {
    values.push(duplicateWindowHours);
    const result = await db.query<{ ord: number; id: number | null; duplicate: boolean }>({ ...statement('deduplicated', rows.length), values });
    return result.rows.map((r) => ({ id: r.id, duplicate: r.duplicate }));
  }
  const result = await db.query<{ id: number }>({ ...statement('plain', rows.length), values });
  return result.rows.map((r) => ({ id: r.id, duplicate: false }));
}

/** Stored record ids of fingerprints (for retries racing with another writer). */
export async function findRecordIdsByFingerprint(db: Queryable, fingerprints: readonly Buffer[]): Promise<Map<string, number>> {
  const result = await db.query<{ fingerprint: Buffer; id: number }>(
    'SELECT fingerprint, record_id::float8 AS id FROM record_fingerprints WHERE fingerprint = ANY($1::bytea[])',
    [fingerprints],
  );
  return new Map(result.rows.map((r) => [r.fingerprint.toString('hex'), r.id]));
}

/** Creates the daily partitions covering `from` .. `from + days` (UTC); returns how many were new. */
export async function ensureRecordPartitions(db: Queryable, from: Date, days: number): Promise<number> {
  const result = await db.query<{ n: number }>('SELECT ensure_record_partitions($1::date, $2::int) AS n', [from.toISOString().slice(0, 10), days]);
  return result.rows[0]?.n ?? 0;
}

/** Deletes fingerprints older than the duplicate window, at most `limit` per call. */
export async function deleteExpiredFingerprints(db: Queryable, windowHours: number, limit: number): Promise<number> {
  const result = await db.query(
    `DELETE FROM record_fingerprints WHERE fingerprint IN (
       SELECT fingerprint FROM record_fingerprints
       WHERE received_at < now() - make_interval(hours => $1::int) LIMIT $2)`,
    [windowHours, limit],
  );
  return result.rowCount ?? 0;
}

/** The parameters of every row, in COLUMN_TYPES order, one after another. */
function rowParameters(rows: readonly RecordToInsert[]): unknown[] {
  const values: unknown[] = [];
  for (const { record: r, receivedAt, fingerprint } of rows) {
    values.push(
      fingerprint, receivedAt, r.machineId, r.hostType, r.severity, r.classification, r.build, r.architecture,
      r.kernelVersion, r.recordVersion, r.timestampClient, r.payloadVersion, r.systemName, r.boardName,
      r.biosVersion, r.cpuModel, r.eventId, r.external, r.payload,
    );
  }
  return values;
}
