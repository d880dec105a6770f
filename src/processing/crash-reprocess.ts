// One batch of a reprocess job: re-evaluates the next stored analyses against the
// current blacklist ("Submit" and "Reset", reference §8.8 and §10.3), starting the
// waiting job when none runs and finishing the job when its walk is over.

import type { Logger } from 'pino';
import { findCrashRecords, listAnalysedRecords } from '../db/queries/crash-analysis.ts';
import {
  advanceReprocessJob,
  findRunningReprocessJob,
  finishReprocessJob,
  startWaitingReprocessJob,
} from '../db/queries/reprocess-jobs.ts';
import type { Queryable } from '../db/pool.ts';
import { analyseAndStoreCrashRecords, loadBlacklist, type CrashAnalysisOptions, type StoredBatch, type StoredCrashKeys } from './crash-batch.ts';

export interface ReprocessStep {
  /** false when no job runs or waits */
  worked: boolean;
  batch: StoredBatch | null;
}

/** Runs inside a transaction holding the crash processing lock. */
export async function reprocessNextBatch(
  db: Queryable,
  options: CrashAnalysisOptions,
  batchSize: number,
  logger: Logger,
  known: StoredCrashKeys | null = null,
): Promise<ReprocessStep> {
  let job = await findRunningReprocessJob(db);
  if (job === null) {
    const started = await startWaitingReprocessJob(db);
    if (started === null) return { worked: false, batch: null };
    logger.info({ job: started.id, total: started.total, reason: started.reason }, 'crash reprocess job started');
    job = await findRunningReprocessJob(db);
    if (job === null) return { worked: false, batch: null };
  }
  const keys = await listAnalysedRecords(db, job.cursorRecordId, job.uptoRecordId, batchSize);
  if (keys.length === 0) {
    const finished = await finishReprocessJob(db, job.id);
    logger.info({ job: job.id, total: finished?.total }, 'crash reprocess job finished');
    return { worked: true, batch: null };
  }
  // Records of a class no longer configured keep their last analysis.
  const classes = new Set(options.classes);
  const records = (await findCrashRecords(db, keys)).filter((r) => classes.has(r.classification));
  const batch = await analyseAndStoreCrashRecords(db, records, await loadBlacklist(db), options, logger, known);
  await advanceReprocessJob(db, job.id, (keys[keys.length - 1] as { recordId: number }).recordId, keys.length);
  return { worked: true, batch };
}
