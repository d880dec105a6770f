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

// The arrays are unnested side by side: one statement, one round trip, per batch.
const INPUT = `input AS (
  SELECT * FROM unnest(
    $1::bytea[], $2::timestamptz[], $3::text[], $4::text[], $5::smallint[], $6::text[], $7::text[],
    $8::text[], $9::text[], $10::smallint[], $11::bigint[], $12::integer[], $13::text[], $14::text[],
    $15::text[], $16::text[], $17::text[], $18::boolean[], $19::text[]
  ) WITH ORDINALITY AS t(fingerprint, received_at, machine_id, host_type, severity, classification, build,
    architecture, kernel_version, record_version, timestamp_client, payload_version, system_name, board_name,
    bios_version, cpu_model, event_id, external, payload, ord)
)`;

const COLUMNS = `received_at, machine_id, host_type, severity, classification, build, architecture, kernel_version,
  record_version, timestamp_client, payload_version, system_name, board_name, bios_version, cpu_model, event_id,
  external, payload`;

// A fingerprint seen within the window is a retry: answer its stored id. An older one is
// taken over by the new record. Fingerprints must be unique within one call.
const INSERT_DEDUPLICATED = `WITH ${INPUT},
claimed AS (
  INSERT INTO record_fingerprints AS f (fingerprint, record_id, received_at)
  SELECT fingerprint, nextval('records_id_seq'), received_at FROM input
  ON CONFLICT (fingerprint) DO UPDATE SET record_id = excluded.record_id, received_at = excluded.received_at
    WHERE f.received_at < excluded.received_at - make_interval(hours => $20::int)
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

const INSERT_PLAIN = `WITH ${INPUT}
INSERT INTO records (${COLUMNS})
SELECT ${COLUMNS} FROM input ORDER BY ord
RETURNING id::float8 AS id`;

/** Inserts a batch in one statement; answers per input row, in order. */
export async function insertRecords(db: Queryable, rows: readonly RecordToInsert[], duplicateWindowHours: number): Promise<InsertedRecord[]> {
  const params = toColumnArrays(rows);
  if (duplicateWindowHours > 0) {
    // Named: each connection parses and plans this statement once, not per batch.
    const result = await db.query<{ ord: number; id: number | null; duplicate: boolean }>({
      name: 'insert-records-deduplicated',
      text: INSERT_DEDUPLICATED,
      values: [...params, duplicateWindowHours],
    });
    return result.rows.map((r) => ({ id: r.id, duplicate: r.duplicate }));
  }
  const result = await db.query<{ id: number }>({ name: 'insert-records', text: INSERT_PLAIN, values: params });
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

function toColumnArrays(rows: readonly RecordToInsert[]): unknown[] {
  const n = rows.length;
  const cols = Array.from({ length: 19 }, () => new Array<unknown>(n));
  for (let i = 0; i < n; i++) {
    const { record: r, receivedAt, fingerprint } = rows[i] as RecordToInsert;
    const values = [
      fingerprint, receivedAt, r.machineId, r.hostType, r.severity, r.classification, r.build, r.architecture,
      r.kernelVersion, r.recordVersion, r.timestampClient, r.payloadVersion, r.systemName, r.boardName,
      r.biosVersion, r.cpuModel, r.eventId, r.external, r.payload,
    ];
    for (let c = 0; c < 19; c++) (cols[c] as unknown[])[i] = values[c];
  }
  return cols;
}
