// The background fold of the rollups (migration 0050): every five seconds, the deltas that
// record inserts and deletes left in record_rollup_deltas go into the rollups and the
// population histograms, so that ingest never upserts them; every ten seconds of folds
// with work, a VACUUM of the deltas' heap. Never writes records;
// across processes the fold's advisory lock lets one run at a time.

import type { Logger } from 'pino';
import type { Pool } from '../db/pool.ts';
import { foldRollupDeltas, vacuumRollupDeltas } from '../db/queries/rollup-deltas.ts';

/**
 * How long population answers may lag ingest, at most, while the fold keeps up. Five
 * seconds, not one: each fold has a fixed cost, and a machine's records within one fold
 * update its rollup rows once; at 10 M records and ~2,000 records/s from 2,000 machines a
 * fold cost ~290 µs per delta every second and ~90 µs every five (docs/PERFORMANCE.md).
 * Count answers never lag: they read the pending deltas too.
 */
export const ROLLUP_FOLD_INTERVAL_MS = 5_000;
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
  const fold = async () => {
    foldedSinceVacuum += (await foldRollupDeltas(pool, false)) ?? 0;
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
