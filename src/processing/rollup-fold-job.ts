// The background fold of the rollups (migrations 0050, 0065): every five seconds, the
// deltas that record inserts and deletes left in record_rollup_deltas go into the count
// rollups, and once a minute their staged machine part goes into the machine rollups and
// the population histograms, so that ingest never upserts them; every ten seconds of
// folds with work, a VACUUM of the deltas' heaps. Never writes records; across processes
// the fold's advisory lock lets one run at a time.

import type { Logger } from 'pino';
import type { Pool } from '../db/pool.ts';
import { foldCountDeltas, foldRollupDeltas, vacuumRollupDeltas } from '../db/queries/rollup-deltas.ts';

/**
 * How often the pending deltas go into the count rollups. Count answers never lag (they
 * read the pending deltas too), but each reads every pending delta, so they must stay a
 * few seconds of ingest. Five seconds, not one: each fold has a fixed cost, and a key's
 * records within one fold update its rollup rows once (docs/PERFORMANCE.md).
 */
export const ROLLUP_FOLD_INTERVAL_MS = 5_000;
/**
 * How long population answers may lag ingest, at most, while the fold keeps up. Nearly all
 * of a fold's work is population: an upsert per changed machine key into five per-machine
 * tables. A machine seen again within the interval costs its keys once, so a minute costs
 * ingest much less than five seconds did, and population windows are days long.
 */
export const POPULATION_FOLD_INTERVAL_MS = 60_000;
/** How often the deltas' heap is vacuumed, when folds found deltas since the last time. */
export const ROLLUP_DELTAS_VACUUM_INTERVAL_MS = 10_000;

export interface RollupFoldJob {
  /** One fold now, waiting for a running one; resolves to the deltas folded. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

export function startRollupFoldJob(pool: Pool, logger: Logger): RollupFoldJob {
  let running: Promise<unknown> | null = null;
  let failing = false;
  let foldedSinceVacuum = 0;
  let lastVacuum = Date.now();
  let lastPopulationFold = 0; // the first tick folds population too: a restart may leave some staged
  const fold = async () => {
    const withPopulation = Date.now() - lastPopulationFold >= POPULATION_FOLD_INTERVAL_MS;
    const folded = withPopulation ? await foldRollupDeltas(pool, false) : await foldCountDeltas(pool, false);
    // null: another process's fold holds the lock; it folds population on its own clock.
    if (withPopulation && folded !== null) lastPopulationFold = Date.now();
    foldedSinceVacuum += folded ?? 0;
    if (foldedSinceVacuum > 0 && Date.now() - lastVacuum >= ROLLUP_DELTAS_VACUUM_INTERVAL_MS) {
      await vacuumRollupDeltas(pool);
      foldedSinceVacuum = 0;
      lastVacuum = Date.now();
    }
  };
  const tick = () => {
    if (running) return;
    running = fold()
      .then(() => {
        if (failing) logger.info('rollup fold recovered');
        failing = false;
      })
      .catch((err: unknown) => {
        // Logged once per failure streak: the next tick retries.
        if (!failing) logger.error({ err }, 'rollup fold failed; population answers lag until it recovers');
        failing = true;
      })
      .finally(() => (running = null));
  };
  const timer = setInterval(tick, ROLLUP_FOLD_INTERVAL_MS).unref();
  return {
    async runOnce() {
      return (await foldRollupDeltas(pool, true)) ?? 0;
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
