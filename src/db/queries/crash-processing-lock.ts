// The transaction-scoped advisory lock that serialises crash processing across
// every server process on one database: new records, catch-up, reprocess jobs and
// "Apply" each hold it while they read the blacklist and write analyses, so no
// analysis computed with an older blacklist can land after a reprocess passed it.

import type { Queryable } from '../pool.ts';
import { ADVISORY_LOCKS } from '../advisory-locks.ts';

const CRASH_PROCESSING_LOCK_KEY = ADVISORY_LOCKS.crashProcessing;

/**
 * Takes the lock for the current transaction if free; false when another holds it. Also
 * turns off the commit's wait for the WAL flush in this transaction: an analysis lost in a
 * database crash is only a record without analysis, which the next start analyses again
 * (same result), and processing no longer queues behind ingest's flushes. And plans the
 * transaction's named statements once per connection (generic plans): their parameters
 * never prune a partition at planning time, and PostgreSQL kept choosing to re-plan the
 * scan and the upsert for every step, 1–8 ms each over the daily partitions, more than
 * their execution took (docs/PERFORMANCE.md).
 */
export async function tryLockCrashProcessing(db: Queryable): Promise<boolean> {
  const result = await db.query<{ locked: boolean }>({
    name: 'try-lock-crash-processing',
    text: `SELECT pg_try_advisory_xact_lock($1) AS locked, set_config('synchronous_commit', 'off', true) AS commit_mode,
      set_config('plan_cache_mode', 'force_generic_plan', true) AS plan_mode`,
    values: [CRASH_PROCESSING_LOCK_KEY],
  });
  return result.rows[0]?.locked === true;
}

/** Waits for the lock for the current transaction, at most `timeoutMs` (then PostgreSQL raises 55P03). */
export async function lockCrashProcessing(db: Queryable, timeoutMs: number): Promise<void> {
  await db.query(`SELECT set_config('lock_timeout', $1, true)`, [`${Math.max(1, Math.floor(timeoutMs))}ms`]);
  await db.query('SELECT pg_advisory_xact_lock($1)', [CRASH_PROCESSING_LOCK_KEY]);
}
