// The background crash processor: gives every record of a crash class its guilty
// and signature soon after it is stored, never inside a request. One loop per
// process; across processes each step holds the crash processing lock, so every
// record is analysed once. Each step, in its own transaction:
//   1. new records: per class, the records above an in-memory cursor, by id;
//   2. catch-up: records the scan passed before they committed (ids commit out of
//      order across writers), and at start everything never analysed;
//   3. reprocess jobs: one batch of the running job.
// A commit of crash records wakes the loop within 50 ms; while this process ingests,
// a backlog is worked off at half duty so the collector keeps its latency.
// All records of crash classes are processed whatever their system_name: the
// reference's `clear-linux-os` filter (reference §8.13) would drop other distributions.

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import { findMaxAnalysedRecordId, findUnanalysedCrashRecords, scanNewCrashRecords, type CrashRecordRow } from '../db/queries/crash-analysis.ts';
import { tryLockCrashProcessing } from '../db/queries/crash-processing-lock.ts';
import type { Pool, PoolClient } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { analyseAndStoreCrashRecords, loadBlacklist, StoredCrashKeys, type CrashAnalysisOptions, type StoredBatch } from './crash-batch.ts';
import type { CrashAnalysisSource, CrashMetrics } from './crash-metrics.ts';
import { reprocessNextBatch } from './crash-reprocess.ts';

export interface CrashProcessorOptions extends CrashAnalysisOptions {
  pool: Pool;
  logger: Logger;
  metrics: CrashMetrics;
  /** Records analysed per transaction (config crash.batchSize). */
  batchSize: number;
  /** Longest wait between scans when nothing pokes the processor (config crash.pollIntervalMs). */
  pollIntervalMs: number;
  /** Time between catch-up sweeps (config crash.catchUpIntervalMs). */
  catchUpIntervalMs: number;
}

type StepResult = 'worked' | 'saturated' | 'idle' | 'busy';

interface CatchUpRange {
  classification: string;
  afterId: number;
  uptoId: number;
}

// Another process holds the lock: try again soon, it works in short transactions.
const BUSY_RETRY_MS = 100;
// A stored crash record wakes the loop this much later, so one step takes the records of many commits.
const NEW_RECORDS_DELAY_MS = 50;
// While this process ingests (a commit within the last second), a backlog is worked off at
// most half the time: after each step the loop rests as long as the step took.
const INGEST_ACTIVE_MS = 1_000;
const REST_PER_STEP_WHILE_INGESTING = 1;
const MAX_ERROR_RETRY_MS = 30_000;
const SWEEP_CHUNK_IDS = 100_000;

export class CrashProcessor {
  readonly options: Readonly<CrashProcessorOptions>;
  readonly #classes: ReadonlySet<string>;
  // Per class: records with a greater id are new. Null until the first step reads where to resume.
  #cursors: Map<string, number> | null = null;
  // Catch-up sweep k covers (cursor at sweep k-2, cursor at sweep k]: a record committed up to one
  // interval after the scan passed its id is found. The first two sweeps after start cover everything.
  #catchUp: CatchUpRange[] | null = null;
  #sweepTargets: [Map<string, number>, Map<string, number>] = [new Map(), new Map()];
  #nextCatchUpAt = 0;
  #loop: Promise<void> | null = null;
  #stopping = false;
  #woken = false;
  #wakeUp: (() => void) | null = null;
  #failures = 0;
  #nextJobCheckAt = 0;
  #lastIngestAt = -Infinity;
  #newRecordsTimer: NodeJS.Timeout | null = null;
  readonly #known = new StoredCrashKeys();

  constructor(options: CrashProcessorOptions) {
    this.options = Object.freeze({ ...options, classes: Object.freeze([...options.classes]) });
    this.#classes = new Set(options.classes);
  }

  /** Starts the background loop (once). */
  start(): void {
    if (this.#loop || this.#classes.size === 0) return;
    this.#loop = this.#run();
  }

  /** Called by the batch writer after each commit. Cheap: notes ingest activity, wakes the loop soon for crash records. */
  notifyStored(records: ReadonlyArray<{ id: number; classification: string }>): void {
    this.#lastIngestAt = performance.now();
    if (this.#newRecordsTimer !== null || !records.some((r) => this.#classes.has(r.classification))) return;
    this.#newRecordsTimer = setTimeout(() => {
      this.#newRecordsTimer = null;
      this.#wakeLoop();
    }, NEW_RECORDS_DELAY_MS);
    this.#newRecordsTimer.unref();
  }

  /** Looks for new records and reprocess jobs now instead of at the next poll (after a blacklist change or a reset). */
  wake(): void {
    this.#nextJobCheckAt = 0;
    this.#wakeLoop();
  }

  /** Finishes the step in progress and stops. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#newRecordsTimer !== null) clearTimeout(this.#newRecordsTimer);
    this.#wakeLoop();
    await this.#loop;
  }

  #wakeLoop(): void {
    this.#woken = true;
    this.#wakeUp?.();
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      let result: StepResult;
      const started = performance.now();
      try {
        result = await this.#runPass();
        this.#failures = 0;
      } catch (err) {
        this.#failures++;
        this.options.metrics.passFailures.inc();
        this.options.logger.error({ err }, 'crash processing failed; retrying');
        await this.#pause(Math.min(MAX_ERROR_RETRY_MS, this.options.pollIntervalMs * 2 ** this.#failures));
        continue;
      }
      if (result === 'worked' || result === 'saturated') await this.#rest(performance.now() - started);
      else await this.#pause(result === 'busy' ? Math.min(BUSY_RETRY_MS, this.options.pollIntervalMs) : this.options.pollIntervalMs);
    }
  }

  /**
   * New records first; when they do not fill a batch, one catch-up batch or one batch of a
   * reprocess job (looked for at most once per poll interval while none runs).
   */
  async #runPass(): Promise<StepResult> {
    const fresh = await this.#step((client) => this.#processNewRecords(client));
    if (fresh === 'busy' || fresh === 'saturated') return fresh;
    if (this.#catchUp === null && Date.now() >= this.#nextCatchUpAt) this.#startCatchUp();
    let next: StepResult = 'idle';
    if (this.#catchUp !== null) next = await this.#step((client) => this.#processCatchUp(client));
    else if (Date.now() >= this.#nextJobCheckAt) {
      next = await this.#step((client) => this.#processReprocessJob(client));
      if (next === 'idle') this.#nextJobCheckAt = Date.now() + this.options.pollIntervalMs;
    }
    return fresh === 'worked' && next !== 'busy' ? 'worked' : next;
  }

  /** Between working steps: a turn for the event loop, and while ingesting a rest as long as the step. */
  async #rest(stepMs: number): Promise<void> {
    if (performance.now() - this.#lastIngestAt > INGEST_ACTIVE_MS || this.#stopping) return yieldToEventLoop();
    await new Promise((resolve) => setTimeout(resolve, stepMs * REST_PER_STEP_WHILE_INGESTING).unref());
  }

  /** One transaction holding the lock; `afterCommit` runs only once it committed. */
  async #step(work: (client: PoolClient) => Promise<{ result: StepResult; afterCommit?: () => void }>): Promise<StepResult> {
    const outcome = await withTransaction(this.options.pool, async (client) => {
      if (!(await tryLockCrashProcessing(client))) return { result: 'busy' as const };
      return work(client);
    });
    outcome.afterCommit?.();
    return outcome.result;
  }

  async #processNewRecords(client: PoolClient): Promise<{ result: StepResult; afterCommit?: () => void }> {
    const cursors = this.#cursors ?? (await this.#readStartCursors(client));
    const scanned = await scanNewCrashRecords(client, [...cursors].map(([classification, afterId]) => ({ classification, afterId })), this.options.batchSize);
    if (scanned.length === 0) return { result: 'idle', afterCommit: () => (this.#cursors ??= cursors) };
    const todo = scanned.filter((r): r is typeof r & { payload: string } => !r.processed && r.payload !== null);
    const batch = todo.length > 0 ? await this.#analyse(client, todo) : null;
    const next = new Map(cursors);
    for (const r of scanned) next.set(r.classification, Math.max(next.get(r.classification) ?? 0, r.id));
    return {
      result: scanned.length >= this.options.batchSize ? 'saturated' : 'worked',
      afterCommit: () => {
        this.#cursors = next;
        this.#count('new', batch);
      },
    };
  }

  async #readStartCursors(client: PoolClient): Promise<Map<string, number>> {
    const resumeAfter = await findMaxAnalysedRecordId(client);
    return new Map([...this.#classes].map((c) => [c, resumeAfter]));
  }

  #startCatchUp(): void {
    const targets = new Map(this.#cursors ?? []);
    const [older, previous] = this.#sweepTargets;
    this.#catchUp = [...this.#classes]
      .map((classification) => ({ classification, afterId: older.get(classification) ?? 0, uptoId: targets.get(classification) ?? 0 }))
      .filter((range) => range.uptoId > range.afterId);
    this.#sweepTargets = [previous, targets];
  }

  async #processCatchUp(client: PoolClient): Promise<{ result: StepResult; afterCommit?: () => void }> {
    const range = this.#catchUp?.[0];
    if (range === undefined) {
      return { result: 'worked', afterCommit: () => this.#finishCatchUp() };
    }
    // A bounded id span per step, so a sweep over millions of records never holds the lock long.
    const chunkEnd = Math.min(range.uptoId, range.afterId + SWEEP_CHUNK_IDS);
    const records = await findUnanalysedCrashRecords(client, range.classification, range.afterId, chunkEnd, this.options.batchSize);
    const batch = records.length > 0 ? await this.#analyse(client, records) : null;
    return {
      result: 'worked',
      afterCommit: () => {
        this.#count('catch_up', batch);
        if (batch !== null) this.options.logger.info({ classification: range.classification, records: records.length }, 'crash catch-up analysed records the scan had passed');
        range.afterId = records.length < this.options.batchSize ? chunkEnd : (records[records.length - 1] as CrashRecordRow).id;
        if (range.afterId >= range.uptoId) this.#catchUp?.shift();
        if (this.#catchUp?.length === 0) this.#finishCatchUp();
      },
    };
  }

  #finishCatchUp(): void {
    this.#catchUp = null;
    this.#nextCatchUpAt = Date.now() + this.options.catchUpIntervalMs;
  }

  async #processReprocessJob(client: PoolClient): Promise<{ result: StepResult; afterCommit?: () => void }> {
    const step = await reprocessNextBatch(client, this.options, this.options.batchSize, this.options.logger, this.#known);
    return { result: step.worked ? 'worked' : 'idle', afterCommit: () => this.#count('reprocess', step.batch) };
  }

  async #analyse(client: PoolClient, records: readonly CrashRecordRow[]): Promise<StoredBatch> {
    return analyseAndStoreCrashRecords(client, records, await loadBlacklist(client), this.options, this.options.logger, this.#known);
  }

  /** After a commit: counts the outcomes and remembers the stored keys. */
  #count(source: CrashAnalysisSource, batch: StoredBatch | null): void {
    if (batch === null) return;
    this.#known.remember(batch.learned);
    countOutcomes(this.options.metrics, source, batch);
  }

  /** Waits `ms`, or less when woken; a wake during a step makes the next pause return at once. */
  async #pause(ms: number): Promise<void> {
    if (this.#woken || this.#stopping) {
      this.#woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wakeUp = done;
    });
    this.#wakeUp = null;
    this.#woken = false;
  }
}

/** Counts a committed batch's outcomes. */
export function countOutcomes(metrics: CrashMetrics, source: CrashAnalysisSource, batch: StoredBatch): void {
  let withGuilty = 0;
  for (const o of batch.outcomes) if (o.guiltyId !== null) withGuilty++;
  const withoutGuilty = batch.outcomes.length - withGuilty - batch.failed;
  if (withGuilty) metrics.analysed.inc({ source, outcome: 'guilty' }, withGuilty);
  if (withoutGuilty) metrics.analysed.inc({ source, outcome: 'no_guilty' }, withoutGuilty);
  if (batch.failed) metrics.analysed.inc({ source, outcome: 'failed' }, batch.failed);
}
