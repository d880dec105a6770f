// SQL of retention_runs (the record of every purge) and the advisory lock that lets
// one purge run at a time across every process on the database.

import type { PoolClient, Queryable } from '../pool.ts';
import { ADVISORY_LOCKS } from '../advisory-locks.ts';

const RETENTION_LOCK_KEY = ADVISORY_LOCKS.retention;

export interface RetentionRunRow {
  id: number;
  scheduledDay: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  deleted: unknown;
  error: string | null;
}

/**
 * Claims the scheduled run of a local day (YYYY-MM-DD): returns its id, or null when
 * a process already claimed that day (ran it, is running it, or failed it).
 */
export async function claimScheduledRetentionRun(db: Queryable, day: string): Promise<number | null> {
  const result = await db.query<{ id: number }>(
    'INSERT INTO retention_runs (scheduled_day) VALUES ($1::date) ON CONFLICT (scheduled_day) DO NOTHING RETURNING id::float8 AS id',
    [day],
  );
  return result.rows[0]?.id ?? null;
}

/** Records the start of a manual (`telemetrics purge`) run; returns its id. */
export async function insertManualRetentionRun(db: Queryable): Promise<number> {
  const result = await db.query<{ id: number }>('INSERT INTO retention_runs DEFAULT VALUES RETURNING id::float8 AS id');
  return result.rows[0]?.id ?? 0;
}

/** Records the end of a run: what it deleted, or the error that stopped it. */
export async function finishRetentionRun(db: Queryable, id: number, deleted: unknown, error: string | null): Promise<void> {
  await db.query('UPDATE retention_runs SET finished_at = now(), deleted = $2::jsonb, error = $3 WHERE id = $1', [id, JSON.stringify(deleted), error]);
}

/** The most recent runs, newest first. */
export async function listRetentionRuns(db: Queryable, limit: number): Promise<RetentionRunRow[]> {
  const result = await db.query<RetentionRunRow>(
    `SELECT id::float8 AS id, to_char(scheduled_day, 'YYYY-MM-DD') AS "scheduledDay", started_at AS "startedAt",
       finished_at AS "finishedAt", deleted, error
     FROM retention_runs ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return result.rows;
}

/** Takes the purge lock on this session if free; true when taken. */
export async function tryLockRetention(client: PoolClient): Promise<boolean> {
  const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [RETENTION_LOCK_KEY]);
  return result.rows[0]?.locked ?? false;
}

export async function unlockRetention(client: PoolClient): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK_KEY]);
}
