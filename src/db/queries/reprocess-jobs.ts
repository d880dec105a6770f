// SQL of the reprocess_jobs table: requests to re-evaluate every crash record
// against the current blacklist, and their progress. At most one job runs and at
// most one waits (unique partial indexes); a request joins the waiting one.

import type { Queryable } from '../pool.ts';

export interface ReprocessJob {
  id: number;
  /** Why it was requested; the reasons of requests that joined it, joined by "; ". */
  reason: string;
  /** How many requests this job answers. */
  requests: number;
  requestedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Analysed crash records to re-evaluate, counted when the job started. */
  total: number;
  done: number;
}

const REASON_MAX_LENGTH = 1000;

const COLUMNS = `id, reason, requests, requested_at AS "requestedAt", started_at AS "startedAt",
  finished_at AS "finishedAt", total, done`;

/** Queues a job, or joins the one waiting to start; returns it. */
export async function insertReprocessJob(db: Queryable, reason: string): Promise<ReprocessJob> {
  const result = await db.query<ReprocessJob>(
    `INSERT INTO reprocess_jobs (reason) VALUES (left($1, ${REASON_MAX_LENGTH}))
     ON CONFLICT ((true)) WHERE started_at IS NULL DO UPDATE SET
       requests = reprocess_jobs.requests + 1,
       reason = left(reprocess_jobs.reason || '; ' || excluded.reason, ${REASON_MAX_LENGTH})
     RETURNING ${COLUMNS}`,
    [reason],
  );
  return result.rows[0] as ReprocessJob;
}

/** The running job with where its walk stands, or null. */
export async function findRunningReprocessJob(db: Queryable): Promise<(ReprocessJob & { cursorRecordId: number; uptoRecordId: number }) | null> {
  const result = await db.query<ReprocessJob & { cursorRecordId: number; uptoRecordId: number }>({
    name: 'find-running-reprocess-job',
    text: `SELECT ${COLUMNS}, cursor_record_id::float8 AS "cursorRecordId", coalesce(upto_record_id, 0)::float8 AS "uptoRecordId"
      FROM reprocess_jobs WHERE started_at IS NOT NULL AND finished_at IS NULL`,
  });
  return result.rows[0] ?? null;
}

/** Starts the waiting job (if any): fixes its range to the analyses stored now and counts them. */
export async function startWaitingReprocessJob(db: Queryable): Promise<ReprocessJob | null> {
  const result = await db.query<ReprocessJob>({
    name: 'start-waiting-reprocess-job',
    text: `WITH scope AS (SELECT coalesce(max(record_id), 0) AS last_analysed, count(*)::int AS analysed FROM crash_analysis)
      UPDATE reprocess_jobs SET started_at = now(), upto_record_id = scope.last_analysed, total = scope.analysed, done = 0, cursor_record_id = 0
      FROM scope WHERE started_at IS NULL
      RETURNING ${COLUMNS}`,
  });
  return result.rows[0] ?? null;
}

/** Records the walk's progress after a committed batch. */
export async function advanceReprocessJob(db: Queryable, id: number, cursorRecordId: number, walked: number): Promise<void> {
  await db.query({
    name: 'advance-reprocess-job',
    text: 'UPDATE reprocess_jobs SET cursor_record_id = $2, done = least(total, done + $3) WHERE id = $1',
    values: [id, cursorRecordId, walked],
  });
}

/** Marks the job finished; `done` becomes `total` (analyses deleted meanwhile count as done). */
export async function finishReprocessJob(db: Queryable, id: number): Promise<ReprocessJob | null> {
  const result = await db.query<ReprocessJob>(
    `UPDATE reprocess_jobs SET finished_at = now(), done = total WHERE id = $1 RETURNING ${COLUMNS}`,
    [id],
  );
  return result.rows[0] ?? null;
}

export async function findReprocessJob(db: Queryable, id: number): Promise<ReprocessJob | null> {
  const result = await db.query<ReprocessJob>(`SELECT ${COLUMNS} FROM reprocess_jobs WHERE id = $1`, [id]);
  return result.rows[0] ?? null;
}

/** The latest jobs, newest first: the running and waiting ones and recent history. */
export async function listReprocessJobs(db: Queryable, limit: number): Promise<ReprocessJob[]> {
  const result = await db.query<ReprocessJob>(`SELECT ${COLUMNS} FROM reprocess_jobs ORDER BY id DESC LIMIT $1`, [limit]);
  return result.rows;
}
