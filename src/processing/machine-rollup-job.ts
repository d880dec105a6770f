// The background fold of the machine rollups (migration 0040): every second, the deltas
// that record inserts and deletes left in record_machine_rollup_deltas go into the
// machine rollups and population histograms, so that ingest never upserts them. Never
// reads or writes records itself; across processes the fold's advisory lock lets one run.

import type { Logger } from 'pino';
import type { Pool } from '../db/pool.ts';
import { foldMachineRollupDeltas } from '../db/queries/machine-rollups.ts';

/** How long population answers may lag ingest, at most, while the fold keeps up. */
export const MACHINE_ROLLUP_FOLD_INTERVAL_MS = 1_000;

export interface MachineRollupJob {
  /** One fold now, waiting for a running one; resolves to the deltas folded. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

export function startMachineRollupJob(pool: Pool, logger: Logger): MachineRollupJob {
  let running: Promise<unknown> | null = null;
  let failing = false;
  const tick = () => {
    if (running) return;
    running = foldMachineRollupDeltas(pool, false)
      .then(() => {
        if (failing) logger.info('machine rollup fold recovered');
        failing = false;
      })
      .catch((err: unknown) => {
        // Logged once per failure streak: the next tick retries.
        if (!failing) logger.error({ err }, 'machine rollup fold failed; population answers lag until it recovers');
        failing = true;
      })
      .finally(() => (running = null));
  };
  const timer = setInterval(tick, MACHINE_ROLLUP_FOLD_INTERVAL_MS).unref();
  return {
    async runOnce() {
      return (await foldMachineRollupDeltas(pool, true)) ?? 0;
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
