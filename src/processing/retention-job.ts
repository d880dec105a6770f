// The daily retention purge inside the server, and the manual one of `telemetrics
// purge`. Once per day across every process on the database: a scheduled run first
// claims its local day in retention_runs (a second process finds the day taken and
// skips), then waits for the purge lock (one purge at a time, manual ones included).
// A failure is logged and recorded; the next day's run goes ahead as usual.

import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { Pool } from '../db/pool.ts';
import { claimScheduledRetentionRun, finishRetentionRun, insertManualRetentionRun, tryLockRetention, unlockRetention } from '../db/queries/retention-runs.ts';
import { runPurge, type PurgeReport, type PurgeStepReport } from './retention-purge.ts';
import { localDay, nextRunAt } from './retention-schedule.ts';

/** Timers wake at least this often, so a changed wall clock is noticed within the hour. */
const MAX_TIMER_MS = 3_600_000;
const LOCK_POLL_MS = 5_000;

export type RetentionSettings = Config['retention'];

export type ScheduledRunOutcome =
  | { status: 'done'; day: string; report: PurgeReport }
  | { status: 'skipped'; day: string }
  | { status: 'failed'; day: string; error: string };

export interface RetentionJobOptions {
  pool: Pool;
  logger: Logger;
  retention: RetentionSettings;
  /** The clock; tests pass a fixed one. */
  now?: () => Date;
  /** How often a run waiting for the purge lock tries again. */
  lockPollMs?: number;
  /** Called after each timer-started run (tests await it instead of sleeping). */
  onRun?: (outcome: ScheduledRunOutcome) => void;
}

export interface RetentionJob {
  /** Runs the purge of `now`'s local day unless a process already claimed that day. */
  runScheduled(): Promise<ScheduledRunOutcome>;
  /** When the timer fires next; null when retention is disabled. */
  nextRun(): Date | null;
  /** Stops the timer and interrupts a running purge between two batches. */
  stop(): Promise<void>;
}

export class PurgeBusyError extends Error {
  override name = 'PurgeBusyError';
  constructor() {
    super('another purge is running on this database (retention lock held); try again when it has finished');
  }
}

export function startRetentionJob(options: RetentionJobOptions): RetentionJob {
  const { pool, logger, retention } = options;
  const now = options.now ?? (() => new Date());
  const abort = new AbortController();
  let running: Promise<unknown> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let target: Date | null = retention.enabled ? nextRunAt(now(), retention.time) : null;

  const runDay = async (day: string): Promise<ScheduledRunOutcome> => {
    const id = await claimScheduledRetentionRun(pool, day);
    if (id === null) {
      logger.info({ day }, 'retention: this day\'s purge was already claimed by a server process; skipping');
      return { status: 'skipped', day };
    }
    const steps: PurgeStepReport[] = [];
    try {
      const report = await withRetentionLock(pool, { wait: true, pollMs: options.lockPollMs ?? LOCK_POLL_MS, signal: abort.signal }, () =>
        runPurge(pool, { rules: retention.rules, maxDays: retention.maxDays, now: now(), logger, signal: abort.signal, onStep: (s) => steps.push(s) }),
      );
      await finishRetentionRun(pool, id, report, null);
      logger.info({ day, records: report.records, durationMs: report.durationMs }, 'retention: purge finished');
      return { status: 'done', day, report };
    } catch (err) {
      const error = abort.signal.aborted ? 'interrupted: the server shut down' : (err as Error).message || String(err);
      // reference §11.2 step 3 logs "Record purging failed"
      logger.error({ err, day }, 'Record purging failed; the next run is tomorrow');
      await finishRetentionRun(pool, id, { steps, partial: true }, error).catch((e: unknown) => logger.error({ err: e, day }, 'retention: recording the failed run failed'));
      return { status: 'failed', day, error };
    }
  };

  const track = <T>(work: Promise<T>): Promise<T> => {
    const tracked = work.finally(() => {
      if (running === tracked) running = null;
    });
    running = tracked;
    return tracked;
  };

  const arm = () => {
    if (!target || abort.signal.aborted) return;
    const delay = Math.min(Math.max(0, target.getTime() - now().getTime()), MAX_TIMER_MS);
    timer = setTimeout(fire, delay).unref();
  };
  const fire = () => {
    timer = null;
    if (!target || now().getTime() < target.getTime()) return arm();
    const day = localDay(target);
    target = nextRunAt(now(), retention.time);
    void track(
      runDay(day)
        .then((outcome) => options.onRun?.(outcome))
        .catch((err: unknown) => logger.error({ err, day }, 'Record purging failed; the next run is tomorrow')),
    ).finally(arm);
  };
  if (target) {
    logger.info({ nextRun: target.toISOString(), time: retention.time }, 'retention: daily purge scheduled');
    arm();
  }

  return {
    runScheduled: () => track(runDay(localDay(now()))),
    nextRun: () => target,
    async stop() {
      abort.abort();
      if (timer) clearTimeout(timer);
      await running?.catch(() => {});
    },
  };
}

export interface ManualPurgeOptions {
  retention: Pick<RetentionSettings, 'rules' | 'maxDays'>;
  now: Date;
  dryRun: boolean;
  logger?: Logger;
}

/**
 * `telemetrics purge`: runs the purge now. A real run takes the purge lock (failing with
 * PurgeBusyError when another purge holds it) and is recorded in retention_runs; a dry
 * run only counts.
 */
export async function runManualPurge(pool: Pool, options: ManualPurgeOptions): Promise<PurgeReport> {
  const purge = () => runPurge(pool, { rules: options.retention.rules, maxDays: options.retention.maxDays, now: options.now, dryRun: options.dryRun, logger: options.logger });
  if (options.dryRun) return purge();
  return withRetentionLock(pool, { wait: false }, async () => {
    const id = await insertManualRetentionRun(pool);
    try {
      const report = await purge();
      await finishRetentionRun(pool, id, report, null);
      return report;
    } catch (err) {
      await finishRetentionRun(pool, id, null, (err as Error).message || String(err));
      throw err;
    }
  });
}

async function withRetentionLock<T>(pool: Pool, options: { wait: boolean; pollMs?: number; signal?: AbortSignal }, work: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    while (!(await tryLockRetention(client))) {
      if (!options.wait) throw new PurgeBusyError();
      options.signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? LOCK_POLL_MS));
    }
    try {
      return await work();
    } finally {
      await unlockRetention(client);
    }
  } finally {
    client.release();
  }
}
