// SQL of the retention purge on records and what derives from them: the daily
// partitions, counting, one bounded delete batch, and dropping a whole day.
// Never deletes without a receive-time range; never holds a lock past one batch.

import type { Pool, Queryable } from '../pool.ts';
import { withTransaction } from '../transaction.ts';
import { buildRetentionCondition, type RetentionFilter } from './retention-filter.ts';

/** A receive-time bound; the infinities select every partition (forget). */
export type TimeBound = Date | 'infinity' | '-infinity';

export interface RecordPartition {
  /** `records_pYYYYMMDD`, as ensure_record_partitions names them */
  name: string;
  /** UTC start and end of its day */
  from: Date;
  to: Date;
  /** false: a table left detached by an interrupted drop */
  attached: boolean;
  /** true: a concurrent detach was interrupted and must be finalised */
  detachPending: boolean;
}

const PARTITION_NAME = /^records_p(\d{4})(\d{2})(\d{2})$/;

/** The daily record partitions (and detached leftovers of them), oldest first. */
export async function listRecordPartitions(db: Queryable): Promise<RecordPartition[]> {
  // inhdetachpending exists from PostgreSQL 14 on; to_jsonb reads it without naming it.
  const result = await db.query<{ name: string; attached: boolean; detach_pending: boolean }>(
    `SELECT c.relname AS name, i.inhrelid IS NOT NULL AS attached,
       coalesce((to_jsonb(i) ->> 'inhdetachpending')::boolean, false) AS detach_pending
     FROM pg_class c
     LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND i.inhparent = 'records'::regclass
     WHERE c.relkind = 'r' AND c.relname ~ '^records_p[0-9]{8}$'
       AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
     ORDER BY c.relname`,
  );
  return result.rows.flatMap((row) => {
    const m = PARTITION_NAME.exec(row.name);
    if (!m) return [];
    const from = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return [{ name: row.name, from, to: new Date(from.getTime() + 86_400_000), attached: row.attached, detachPending: row.detach_pending }];
  });
}

/** Records received in [from, to) that pass the filter. */
export async function countRecordsBetween(db: Queryable, from: TimeBound, to: TimeBound, filter: RetentionFilter = {}): Promise<number> {
  const values: unknown[] = [from, to];
  const condition = buildRetentionCondition(filter, values);
  const result = await db.query<{ n: number }>(
    `SELECT count(*)::float8 AS n FROM records WHERE received_at >= $1 AND received_at < $2 AND ${condition}`,
    values,
  );
  return result.rows[0]?.n ?? 0;
}

/** Whether any record received in [from, to) passes the filter; stops at the first. */
export async function hasRecordsBetween(db: Queryable, from: TimeBound, to: TimeBound, filter: RetentionFilter): Promise<boolean> {
  const values: unknown[] = [from, to];
  const condition = buildRetentionCondition(filter, values);
  const result = await db.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM records WHERE received_at >= $1 AND received_at < $2 AND ${condition}) AS found`,
    values,
  );
  return result.rows[0]?.found ?? false;
}

export interface DeleteBatchInput {
  from: TimeBound;
  to: TimeBound;
  filter: RetentionFilter;
  /** Only records with a larger id: the walk's position (ids are bigint, as text). */
  afterId: string;
  limit: number;
}

export interface DeleteBatchResult {
  /** Records the batch selected (fewer than the limit: the walk is done) */
  selected: number;
  /** Largest id selected, where the next batch starts; null when none */
  lastId: string | null;
  records: number;
  crashAnalyses: number;
  fingerprints: number;
}

/**
 * Deletes up to `limit` matching records in [from, to) with id > afterId, in id order,
 * with their crash analysis and duplicate-detection fingerprint, in one statement
 * (one short transaction). The range keeps the statement on the partitions it names.
 */
export async function deleteRecordBatch(db: Queryable, input: DeleteBatchInput): Promise<DeleteBatchResult> {
  const values: unknown[] = [input.from, input.to, input.afterId, input.limit];
  const condition = buildRetentionCondition(input.filter, values);
  const result = await db.query<DeleteBatchResult>(
    `WITH batch AS (
       SELECT id, received_at FROM records
       WHERE received_at >= $1 AND received_at < $2 AND id > $3::bigint AND ${condition}
       ORDER BY id LIMIT $4
     ), gone AS (
       DELETE FROM records r USING batch b
       WHERE r.received_at >= $1 AND r.received_at < $2 AND r.id = b.id AND r.received_at = b.received_at
       RETURNING r.id, r.received_at
     ), analyses AS (
       DELETE FROM crash_analysis c USING gone g WHERE c.record_id = g.id RETURNING 1
     ), prints AS (
       DELETE FROM record_fingerprints f USING gone g WHERE f.received_at = g.received_at AND f.record_id = g.id RETURNING 1
     )
     SELECT (SELECT count(*) FROM batch)::int AS selected, (SELECT max(id) FROM batch)::text AS "lastId",
       (SELECT count(*) FROM gone)::int AS records, (SELECT count(*) FROM analyses)::int AS "crashAnalyses",
       (SELECT count(*) FROM prints)::int AS fingerprints`,
    values,
  );
  return result.rows[0] ?? { selected: 0, lastId: null, records: 0, crashAnalyses: 0, fingerprints: 0 };
}

/** Rows of a partition table by name, attached or not (for a detached leftover). */
export async function countPartitionRows(db: Queryable, partition: string): Promise<number> {
  const result = await db.query<{ n: number }>(`SELECT count(*)::float8 AS n FROM ${partitionIdentifier(partition)}`);
  return result.rows[0]?.n ?? 0;
}

/**
 * Detaches a day partition from records. `concurrently` (PostgreSQL 14+) never blocks
 * ingest; `finalize` completes an interrupted concurrent detach. Outside a transaction only.
 */
export async function detachRecordPartition(db: Queryable, partition: string, mode: 'concurrently' | 'finalize'): Promise<void> {
  await db.query(`ALTER TABLE records DETACH PARTITION ${partitionIdentifier(partition)} ${mode === 'concurrently' ? 'CONCURRENTLY' : 'FINALIZE'}`);
}

/**
 * Drops a day partition table, taking its rows out of the rollups first in the same
 * transaction (a drop fires no delete trigger). While attached this locks records
 * exclusively for a moment, so every lock wait is bounded by `lockTimeoutMs` (the
 * statement fails with 55P03 when it runs out, and ingest waited at most that long).
 */
export async function dropRecordPartition(pool: Pool, partition: string, lockTimeoutMs: number): Promise<void> {
  const name = partitionIdentifier(partition);
  await withTransaction(pool, async (client) => {
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`);
    const exists = await client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [name]);
    if (!exists.rows[0]?.found) return;
    await client.query('SELECT subtract_record_partition_rollups($1::regclass)', [name]);
    await client.query('SELECT delete_record_partition_mce_reports($1::regclass)', [name]);
    await client.query(`DROP TABLE ${name}`);
  });
}

/** Deletes up to `limit` crash analyses of records received in [from, to); returns how many. */
export async function deleteCrashAnalysesBetween(db: Queryable, from: Date, to: Date, limit: number): Promise<number> {
  const result = await db.query(
    `DELETE FROM crash_analysis WHERE record_id IN (
       SELECT record_id FROM crash_analysis WHERE received_at >= $1 AND received_at < $2 LIMIT $3)`,
    [from, to, limit],
  );
  return result.rowCount ?? 0;
}

/** Deletes up to `limit` fingerprints of records received in [from, to); returns how many. */
export async function deleteFingerprintsBetween(db: Queryable, from: Date, to: Date, limit: number): Promise<number> {
  const result = await db.query(
    `DELETE FROM record_fingerprints WHERE fingerprint IN (
       SELECT fingerprint FROM record_fingerprints WHERE received_at >= $1 AND received_at < $2 LIMIT $3)`,
    [from, to, limit],
  );
  return result.rowCount ?? 0;
}

/** server_version_num, e.g. 150004 */
export async function getServerVersionNum(db: Queryable): Promise<number> {
  const result = await db.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v");
  return result.rows[0]?.v ?? 0;
}

// Partition names come from the catalog and match PARTITION_NAME: safe to quote as is.
function partitionIdentifier(name: string): string {
  if (!PARTITION_NAME.test(name)) throw new Error(`not a record partition name: ${name}`);
  return `"${name}"`;
}
