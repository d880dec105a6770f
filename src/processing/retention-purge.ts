// One retention purge (reference-backend §11.2) at scale: days past every retention
// leave in one step (their partition is detached and dropped), then each rule's
// leftovers go in bounded batches, each its own short transaction, so ingest is never
// blocked. A dry run counts exactly what a real run with the same `now` deletes.

import type { Logger } from 'pino';
import type { RetentionRule } from '../config/schema.ts';
import type { Pool } from '../db/pool.ts';
import type { RetentionFilter } from '../db/queries/retention-filter.ts';
import {
  countPartitionRows,
  countRecordsBetween,
  deleteCrashAnalysesBetween,
  deleteFingerprintsBetween,
  deleteRecordBatch,
  detachRecordPartition,
  dropRecordPartition,
  getServerVersionNum,
  hasRecordsBetween,
  listRecordPartitions,
  type RecordPartition,
} from '../db/queries/retention.ts';
import { planPurge, type PurgePlan, type PurgeStep } from './retention-rules.ts';

const DEFAULT_BATCH_SIZE = 10_000;
/** How long a plain DROP may make ingest wait for the records lock (PostgreSQL 13 only). */
const DROP_LOCK_TIMEOUT_MS = 50;
const DROP_ATTEMPTS = 20;
const DROP_RETRY_PAUSE_MS = 250;

export interface PurgeOptions {
  rules: readonly RetentionRule[];
  maxDays: number;
  now: Date;
  /** Count, delete nothing. */
  dryRun?: boolean;
  /** Records per delete statement. */
  batchSize?: number;
  logger?: Logger;
  /** Stops the purge between two batches (server shutdown). */
  signal?: AbortSignal;
  /** Called as each step ends (the job keeps what a failed run did). */
  onStep?: (step: PurgeStepReport) => void;
  /**
   * How an expired day leaves: `detach` (DETACH PARTITION CONCURRENTLY, then DROP; the
   * default on PostgreSQL 14+) or `drop` (DROP with a short lock timeout; PostgreSQL 13).
   */
  partitionRemoval?: 'detach' | 'drop';
}

export interface PurgeStepReport {
  label: string;
  kind: 'days' | 'rule' | 'unfiltered';
  records: number;
  crashAnalyses: number;
  fingerprints: number;
  /** kind `days`: the partitions dropped (or that would be) */
  partitions?: string[];
}

export interface PurgeReport {
  dryRun: boolean;
  now: string;
  steps: PurgeStepReport[];
  records: number;
  durationMs: number;
}

export async function runPurge(pool: Pool, options: PurgeOptions): Promise<PurgeReport> {
  const started = performance.now();
  const plan = planPurge(options.rules, options.maxDays, options.now);
  const dryRun = options.dryRun ?? false;
  const steps: PurgeStepReport[] = [];
  const finish = (step: PurgeStepReport) => {
    steps.push(step);
    options.logger?.info({ step: step.label, records: step.records, crashAnalyses: step.crashAnalyses, fingerprints: step.fingerprints, partitions: step.partitions, dryRun }, dryRun ? 'retention: would delete' : 'retention: deleted');
    options.onStep?.(step);
  };

  const partitions = await listRecordPartitions(pool);
  const expiredDays = await findExpiredDays(pool, plan, partitions);
  const live = partitions.filter((p) => p.attached && !p.detachPending && !expiredDays.includes(p));
  if (plan.dropBefore) {
    const step = await removeExpiredDays(pool, expiredDays, live, options, dryRun);
    finish({ ...step, label: `whole days older than ${longestRetention(plan)} days` });
  }
  for (const step of plan.steps) finish(await purgeStep(pool, step, plan, live, options, dryRun));

  return {
    dryRun,
    now: options.now.toISOString(),
    steps,
    records: steps.reduce((n, s) => n + s.records, 0),
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * Days wholly before every retention, whose rows are all expired: no row matches a
 * days-0 ("keep forever") rule without also matching an expiring one. Leftovers of an
 * interrupted drop count too.
 */
async function findExpiredDays(pool: Pool, plan: PurgePlan, partitions: RecordPartition[]): Promise<RecordPartition[]> {
  const { dropBefore } = plan;
  if (!dropBefore) return [];
  const kept: RetentionFilter = { anyOf: plan.keepForever, noneOf: plan.expiring };
  const expired: RecordPartition[] = [];
  for (const p of partitions) {
    if (p.to.getTime() > dropBefore.getTime()) continue;
    const detached = !p.attached || p.detachPending;
    if (detached || plan.keepForever.length === 0 || !(await hasRecordsBetween(pool, p.from, p.to, kept))) expired.push(p);
  }
  return expired;
}

async function removeExpiredDays(pool: Pool, days: RecordPartition[], live: RecordPartition[], options: PurgeOptions, dryRun: boolean): Promise<Omit<PurgeStepReport, 'label'>> {
  const step = { kind: 'days' as const, records: 0, crashAnalyses: 0, fingerprints: 0, partitions: [] as string[] };
  const removal = options.partitionRemoval ?? ((await getServerVersionNum(pool)) >= 140000 ? 'detach' : 'drop');
  for (const p of days) {
    options.signal?.throwIfAborted();
    const records = p.attached && !p.detachPending ? await countRecordsBetween(pool, p.from, p.to) : await countPartitionRows(pool, p.name);
    if (!dryRun && !(await removePartition(pool, p, removal, options))) {
      live.push(p); // could not get the lock in time: its rows go batch by batch instead
      continue;
    }
    step.records += records;
    step.partitions.push(p.name);
    if (dryRun) continue;
    step.crashAnalyses += await deleteAll((limit) => deleteCrashAnalysesBetween(pool, p.from, p.to, limit), options);
    step.fingerprints += await deleteAll((limit) => deleteFingerprintsBetween(pool, p.from, p.to, limit), options);
  }
  return step;
}

/** Detaches (if attached) and drops one day; false when a plain DROP never got its lock. */
async function removePartition(pool: Pool, p: RecordPartition, removal: 'detach' | 'drop', options: PurgeOptions): Promise<boolean> {
  if (p.detachPending) await detachRecordPartition(pool, p.name, 'finalize');
  else if (p.attached && removal === 'detach') await detachRecordPartition(pool, p.name, 'concurrently');
  const attached = p.attached && !p.detachPending && removal === 'drop';
  for (let attempt = 1; attempt <= DROP_ATTEMPTS; attempt++) {
    try {
      await dropRecordPartition(pool, p.name, attached ? DROP_LOCK_TIMEOUT_MS : 60_000);
      return true;
    } catch (err) {
      if ((err as { code?: string }).code !== '55P03') throw err; // 55P03: lock_timeout ran out
      if (attempt < DROP_ATTEMPTS) await pause(DROP_RETRY_PAUSE_MS, options.signal);
    }
  }
  options.logger?.warn({ partition: p.name }, 'retention: records stayed busy; deleting the expired day in batches instead');
  return false;
}

async function purgeStep(pool: Pool, step: PurgeStep, plan: PurgePlan, live: RecordPartition[], options: PurgeOptions, dryRun: boolean): Promise<PurgeStepReport> {
  const filter: RetentionFilter =
    step.kind === 'rule' && step.rule
      ? { anyOf: [step.rule], notExpiredBy: step.earlier.map((e) => ({ rule: e.rule, before: e.cutoff })) }
      : { noneOf: plan.rules };
  const report: PurgeStepReport = { label: step.label, kind: step.kind, records: 0, crashAnalyses: 0, fingerprints: 0 };
  const limit = options.batchSize ?? DEFAULT_BATCH_SIZE;
  for (const p of [...live].sort((a, b) => a.from.getTime() - b.from.getTime())) {
    if (p.from.getTime() >= step.cutoff.getTime()) break;
    const to = p.to.getTime() < step.cutoff.getTime() ? p.to : step.cutoff;
    if (dryRun) {
      report.records += await countRecordsBetween(pool, p.from, to, filter);
      continue;
    }
    let afterId = '-9223372036854775808';
    for (;;) {
      options.signal?.throwIfAborted();
      const batch = await deleteRecordBatch(pool, { from: p.from, to, filter, afterId, limit });
      report.records += batch.records;
      report.crashAnalyses += batch.crashAnalyses;
      report.fingerprints += batch.fingerprints;
      if (batch.selected < limit || batch.lastId === null) break;
      afterId = batch.lastId;
    }
  }
  return report;
}

async function deleteAll(deleteBatch: (limit: number) => Promise<number>, options: PurgeOptions): Promise<number> {
  const limit = options.batchSize ?? DEFAULT_BATCH_SIZE;
  let total = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const n = await deleteBatch(limit);
    total += n;
    if (n < limit) return total;
  }
}

function longestRetention(plan: PurgePlan): number {
  return Math.max(0, ...plan.steps.map((s) => s.days));
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
