// record_rollup_deltas (migration 0050): the record changes the triggers appended and
// the fold has not yet moved into the rollups. Count queries add them; the fold empties it.
// record_machine_deltas (0065): their machine part, staged by the count fold for the
// population fold.

import { ADVISORY_LOCKS } from '../advisory-locks.ts';
import type { Queryable } from '../pool.ts';

/**
 * Moves the pending deltas into the rollups and population histograms
 * (fold_record_rollup_deltas). Returns the deltas folded, or null when `wait` is false
 * and another fold is running.
 */
export function foldRollupDeltas(db: Queryable, wait: boolean): Promise<number | null> {
  return callFold(db, 'fold_record_rollup_deltas', wait);
}

/**
 * Moves the pending deltas into the count rollups only and stages their machine part for
 * the next foldRollupDeltas (fold_record_count_deltas). Same answer as foldRollupDeltas.
 */
export function foldCountDeltas(db: Queryable, wait: boolean): Promise<number | null> {
  return callFold(db, 'fold_record_count_deltas', wait);
}

async function callFold(db: Queryable, fn: 'fold_record_rollup_deltas' | 'fold_record_count_deltas', wait: boolean): Promise<number | null> {
  const result = await db.query<{ folded: string | null }>(`SELECT ${fn}($1::bigint, $2::boolean)::text AS folded`, [ADVISORY_LOCKS.rollupFold, wait]);
  const folded = result.rows[0]?.folded;
  return folded === null || folded === undefined ? null : Number(folded);
}

/**
 * Reclaims the space of folded deltas. Every fold deletes what the triggers appended, so
 * at a few thousand records per second the heap gains ~100 k dead rows a minute, more than
 * autovacuum (one visit a minute at most) keeps up with, and the fold and every count
 * query scan them. Not in a transaction (VACUUM cannot be); SKIP_LOCKED: a vacuum already
 * running is enough.
 */
export async function vacuumRollupDeltas(db: Queryable): Promise<void> {
  await db.query('VACUUM (SKIP_LOCKED) record_rollup_deltas, record_machine_deltas');
}
