// Hourly upkeep of ingest storage: creates the record partitions a week ahead,
// prunes duplicate-detection fingerprints older than the window, and removes crash
// analyses left behind by a record deleted while the crash processor wrote.

import type { Logger } from 'pino';
import { deleteOrphanCrashAnalyses } from '../db/queries/crash-analysis.ts';
import { deleteExpiredFingerprints, ensureRecordPartitions } from '../db/queries/records.ts';
import type { Pool } from '../db/pool.ts';

const INTERVAL_MS = 3_600_000;
const DAYS_AHEAD = 8;
const PRUNE_BATCH = 10_000;
const PRUNE_MAX_BATCHES = 100;
/** Orphans are new by nature; three hours covers a missed run or two. */
const ORPHAN_LOOKBACK_HOURS = 3;

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
    const orphans = await deleteOrphanCrashAnalyses(pool, ORPHAN_LOOKBACK_HOURS);
    if (orphans) logger.info({ orphans }, 'crash analyses of deleted records removed');
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
