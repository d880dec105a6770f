// The background fold of the rollups (migration 0050): every second, the deltas that
// record inserts and deletes left in record_rollup_deltas go into the rollups and the
// population histograms, so that ingest never upserts them. Never writes records;
// across processes the fold's advisory lock lets one run at a time.

import type { Logger } from 'pino';
import type { Pool } from '../db/pool.ts';
import { foldRollupDeltas } from '../db/queries/rollup-deltas.ts';

/** How long population answers may lag ingest, at most, while the fold keeps up. */
export const ROLLUP_FOLD_INTERVAL_MS = 1_000;

export interface RollupFoldJob {
  /** One fold now, waiting for a running one; resolves to the deltas folded. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

export function startRollupFoldJob(pool: Pool, logger: Logger): RollupFoldJob {
  let running: Promise<unknown> | null = null;
  let failing = false;
  const tick = () => {
    if (running) return;
    running = foldRollupDeltas(pool, false)
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
