// Hourly upkeep of ingest storage: creates the record partitions a week ahead
// and prunes duplicate-detection fingerprints older than the window.

import type { Logger } from 'pino';
import { deleteExpiredFingerprints, ensureRecordPartitions } from '../db/queries/records.ts';
import type { Pool } from '../db/pool.ts';

const INTERVAL_MS = 3_600_000;
const DAYS_AHEAD = 8;
const PRUNE_BATCH = 10_000;
const PRUNE_MAX_BATCHES = 100;

export interface MaintenanceJob {
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

export function startMaintenanceJob(pool: Pool, logger: Logger, duplicateWindowHours: number): MaintenanceJob {
  let running: Promise<void> | null = null;
  const runOnce = async () => {
    const yesterday = new Date(Date.now() - 86_400_000);
    const created = await ensureRecordPartitions(pool, yesterday, DAYS_AHEAD + 1);
    if (created) logger.info({ created }, 'record partitions created');
    if (duplicateWindowHours > 0) {
      for (let i = 0; i < PRUNE_MAX_BATCHES; i++) {
        if ((await deleteExpiredFingerprints(pool, duplicateWindowHours, PRUNE_BATCH)) < PRUNE_BATCH) break;
      }
    }
  };
  const tick = () => {
    if (running) return;
    running = runOnce()
      .catch((err: unknown) => logger.error({ err }, 'storage maintenance failed; retrying in an hour'))
      .finally(() => (running = null));
  };
  tick();
  const timer = setInterval(tick, INTERVAL_MS).unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
