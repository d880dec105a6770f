// SQL of the crash_analysis table (one row per processed crash record: its guilty,
// signature, program and signal) and the reads of crash records that feed it.
// A row means "processed"; guilty_id NULL means "processed, no guilty found".

import type { Queryable } from '../pool.ts';

/** A crash record as the processor reads it. */
export interface CrashRecordRow {
  id: number;
  receivedAt: Date;
  classification: string;
  payload: string;
}

/** A row of the scan for new records: already processed ones carry no payload. */
export interface ScannedCrashRecord {
  id: number;
  receivedAt: Date;
  classification: string;
  processed: boolean;
  payload: string | null;
}

/** Where the scan of one class stands: records with a greater id are new. */
export interface ClassCursor {
  classification: string;
  afterId: number;
}

export interface CrashAnalysisToStore {
  recordId: number;
  receivedAt: Date;
  guiltyId: number | null;
  signature: string | null;
  program: string | null;
  signal: number | null;
}

/** A stored analysis with its guilty pair, as the views read it. */
export interface CrashAnalysisRow extends CrashAnalysisToStore {
  guiltyFunction: string | null;
  guiltyModule: string | null;
  processedAt: Date;
}

// Per class, the next `limit` record ids above its cursor (index on (classification, id));
// of those the first `limit` by id, each flagged when another process already analysed
// it; payloads only for the others. For each class the rows returned are the ones just
// above its cursor, so its cursor moves to the greatest of them.
// Each record's analysis is looked up by key (LATERAL … OFFSET 0): as a plain join the
// planner merge-joined it to crash_analysis's primary key read from its first entry, for
// every class at every step, ~10 ms per 57,000 analyses and growing with the table; during
// a bench the scan took more than a quarter of a core (docs/PERFORMANCE.md).
const SCAN_NEW = `WITH candidates AS (
  SELECT c.classification, x.id, x.received_at, x.processed
  FROM unnest($1::text[], $2::bigint[]) AS c(classification, after_id)
  CROSS JOIN LATERAL (
    SELECT r.id, r.received_at, a.record_id IS NOT NULL AS processed
    FROM records r
    LEFT JOIN LATERAL (SELECT a.record_id FROM crash_analysis a WHERE a.record_id = r.id OFFSET 0) a ON true
    WHERE r.classification = c.classification AND r.id > c.after_id
    ORDER BY r.id
    LIMIT $3
  ) x
  ORDER BY x.id
  LIMIT $3
)
SELECT k.id::float8 AS id, k.received_at AS "receivedAt", k.classification, k.processed,
  CASE WHEN NOT k.processed THEN (SELECT r.payload FROM records r WHERE r.id = k.id AND r.received_at = k.received_at) END AS payload
FROM candidates k
ORDER BY k.id`;

/** The next `limit` records above the class cursors, by id, whatever their class. */
export async function scanNewCrashRecords(db: Queryable, cursors: readonly ClassCursor[], limit: number): Promise<ScannedCrashRecord[]> {
  if (cursors.length === 0) return [];
  const result = await db.query<ScannedCrashRecord>({
    name: 'scan-new-crash-records',
    text: SCAN_NEW,
    values: [cursors.map((c) => c.classification), cursors.map((c) => c.afterId), limit],
  });
  return result.rows;
}

/** Records of one class with an id in (afterId, uptoId] and no analysis yet, by id: the catch-up. */
export async function findUnanalysedCrashRecords(
  db: Queryable,
  classification: string,
  afterId: number,
  uptoId: number,
  limit: number,
): Promise<CrashRecordRow[]> {
  const result = await db.query<CrashRecordRow>({
    name: 'find-unanalysed-crash-records',
    text: `SELECT r.id::float8 AS id, r.received_at AS "receivedAt", r.classification, r.payload
      FROM records r
      WHERE r.classification = $1 AND r.id > $2 AND r.id <= $3
        AND NOT EXISTS (SELECT 1 FROM crash_analysis a WHERE a.record_id = r.id)
      ORDER BY r.id
      LIMIT $4`,
    values: [classification, afterId, uptoId, limit],
  });
  return result.rows;
}

/** Stored analyses in (afterId, uptoId], by record id: the walk of a reprocess job. */
export async function listAnalysedRecords(db: Queryable, afterId: number, uptoId: number, limit: number): Promise<Array<{ recordId: number; receivedAt: Date }>> {
  const result = await db.query<{ recordId: number; receivedAt: Date }>({
    name: 'list-analysed-records',
    text: `SELECT record_id::float8 AS "recordId", received_at AS "receivedAt" FROM crash_analysis
      WHERE record_id > $1 AND record_id <= $2 ORDER BY record_id LIMIT $3`,
    values: [afterId, uptoId, limit],
  });
  return result.rows;
}

/** Records by (id, received_at): the receive times let PostgreSQL skip other partitions. */
export async function findCrashRecords(db: Queryable, keys: ReadonlyArray<{ recordId: number; receivedAt: Date }>): Promise<CrashRecordRow[]> {
  if (keys.length === 0) return [];
  const result = await db.query<CrashRecordRow>({
    name: 'find-crash-records',
    text: `SELECT r.id::float8 AS id, r.received_at AS "receivedAt", r.classification, r.payload
      FROM records r WHERE r.id = ANY($1::bigint[]) AND r.received_at = ANY($2::timestamptz[])
      ORDER BY r.id`,
    values: [keys.map((k) => k.recordId), keys.map((k) => k.receivedAt)],
  });
  return result.rows;
}

/** One record by id, whatever its class (null when none). */
export async function findCrashRecordById(db: Queryable, id: number): Promise<CrashRecordRow | null> {
  const result = await db.query<CrashRecordRow>(
    'SELECT id::float8 AS id, received_at AS "receivedAt", classification, payload FROM records WHERE id = $1',
    [id],
  );
  return result.rows[0] ?? null;
}

// Rewrites a row only when the result changed, so a reprocess that changes nothing writes nothing.
// Skips records deleted (by retention or forget) since they were read, so that no analysis
// outlives its record. The receive-time range (not equality: the time came through a
// millisecond Date, imported records carry microseconds) lets each probe skip to one partition.
// The record's exact receive time and the columns the crash views filter and group on are
// copied from the record itself (migration 0031); records never change, so an update keeps them.
const UPSERT = `INSERT INTO crash_analysis (record_id, received_at, guilty_id, signature, program, signal,
  classification, build, machine_id, system_name, severity, external, timestamp_client)
SELECT u.record_id, r.received_at, u.guilty_id, u.signature, u.program, u.signal,
  r.classification, r.build, r.machine_id, r.system_name, r.severity, r.external, r.timestamp_client
FROM unnest($1::bigint[], $2::timestamptz[], $3::integer[], $4::text[], $5::text[], $6::integer[])
  AS u(record_id, received_at, guilty_id, signature, program, signal)
JOIN records r ON r.id = u.record_id AND r.received_at > u.received_at - interval '1 ms' AND r.received_at < u.received_at + interval '1 ms'
ON CONFLICT (record_id) DO UPDATE SET
  guilty_id = excluded.guilty_id, signature = excluded.signature, program = excluded.program,
  signal = excluded.signal, processed_at = now()
WHERE (crash_analysis.guilty_id, crash_analysis.signature, crash_analysis.program, crash_analysis.signal)
  IS DISTINCT FROM (excluded.guilty_id, excluded.signature, excluded.program, excluded.signal)`;

/** Inserts or updates the analyses of records that still exist, in one statement; returns how many rows were written. */
export async function upsertCrashAnalyses(db: Queryable, rows: readonly CrashAnalysisToStore[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await db.query({
    name: 'upsert-crash-analyses',
    text: UPSERT,
    values: [
      rows.map((r) => r.recordId),
      rows.map((r) => r.receivedAt),
      rows.map((r) => r.guiltyId),
      rows.map((r) => r.signature),
      rows.map((r) => r.program),
      rows.map((r) => r.signal),
    ],
  });
  return result.rowCount ?? 0;
}

export async function findCrashAnalysis(db: Queryable, recordId: number): Promise<CrashAnalysisRow | null> {
  const result = await db.query<CrashAnalysisRow>(
    `SELECT a.record_id::float8 AS "recordId", a.received_at AS "receivedAt", a.guilty_id AS "guiltyId",
       a.signature, a.program, a.signal, a.processed_at AS "processedAt",
       g.function AS "guiltyFunction", g.module AS "guiltyModule"
     FROM crash_analysis a LEFT JOIN guilty g ON g.id = a.guilty_id
     WHERE a.record_id = $1`,
    [recordId],
  );
  return result.rows[0] ?? null;
}

/** The greatest analysed record id (0 when none): where a starting processor resumes its scan. */
export async function findMaxAnalysedRecordId(db: Queryable): Promise<number> {
  const result = await db.query<{ id: number }>('SELECT coalesce(max(record_id), 0)::float8 AS id FROM crash_analysis');
  return result.rows[0]?.id ?? 0;
}

/**
 * Deletes analyses processed within the last `hours` whose record is gone: a record
 * deleted after the processor's write checked for it, but before the write committed,
 * leaves one behind (the delete's snapshot cannot see the new row). Returns how many.
 * The record is looked up with its partition key (the analysis copies received_at): by id
 * alone each lookup probes every day partition's index. In batches of `batchSize`
 * analyses by record id, one statement each: after a reprocess of every crash, or the
 * first start on a freshly analysed database, the look-back holds hundreds of thousands
 * (420,000 at 10 M records), and one statement checking them all outlived the pool's
 * query timeout on every hourly run.
 */
export async function deleteOrphanCrashAnalyses(db: Queryable, hours: number, batchSize = 5_000): Promise<number> {
  let deleted = 0;
  let afterId = '0';
  for (;;) {
    const result = await db.query<{ last_id: string | null; checked: number; deleted: number }>(
      `WITH batch AS (
         SELECT record_id, received_at FROM crash_analysis
         WHERE processed_at > now() - make_interval(hours => $1::int) AND record_id > $2::bigint
         ORDER BY record_id LIMIT $3::int
       ), orphans AS (
         -- Each record looked up by its key (LATERAL … OFFSET 0): as a NOT EXISTS inside the
         -- DELETE, the planner hash-anti-joined every batch to a scan of all of records
         -- (2 s per batch at 10 M records, minutes of a core at each start).
         SELECT b.record_id FROM batch b
         LEFT JOIN LATERAL (SELECT 1 AS found FROM records r WHERE r.id = b.record_id AND r.received_at = b.received_at OFFSET 0) f ON true
         WHERE f.found IS NULL
       ), gone AS (
         DELETE FROM crash_analysis a USING orphans o WHERE a.record_id = o.record_id
         RETURNING 1
       )
       SELECT (SELECT max(record_id) FROM batch)::text AS last_id, (SELECT count(*) FROM batch)::int AS checked, (SELECT count(*) FROM gone)::int AS deleted`,
      [hours, afterId, batchSize],
    );
    const row = result.rows[0];
    deleted += row?.deleted ?? 0;
    if (!row?.last_id || row.checked < batchSize) return deleted;
    afterId = row.last_id;
  }
}
