// The group-commit writer: one batch insert in flight at a time; records that
// arrive meanwhile form the next batch; each submitter is answered only after the
// statement holding its record has committed. Bounded queue; fails fast with 503
// while the database is unreachable and recovers by itself.

import type { Logger } from 'pino';
import { insertRecords, findRecordIdsByFingerprint, ensureRecordPartitions, type RecordToInsert } from '../db/queries/records.ts';
import type { Pool } from '../db/pool.ts';
import { AppError } from '../errors.ts';
import type { TelemetryRecord } from '../protocol/record.ts';
import { isDatabaseUnavailable, isMissingPartition } from './database-errors.ts';
import { computeFingerprint } from './fingerprint.ts';
import type { IngestMetrics } from './metrics.ts';

const MAX_BATCH_RECORDS = 1000;
const PROBE_INTERVAL_MS = 1000;
const SWEEP_INTERVAL_MS = 250;
const DAY_MS = 86_400_000;

export interface BatchWriterOptions {
  pool: Pool;
  logger: Logger;
  metrics: IngestMetrics;
  maxQueueRecords: number;
  maxQueueBytes: number;
  duplicateWindowHours: number;
  /** Answer 503 when a record is not committed within this time: the client gives up at 10 s. */
  answerDeadlineMs?: number;
  /** Called after each commit with the records it stored (not duplicates); must be cheap and not throw. */
  onStored?: (records: StoredRecordSummary[]) => void;
}

/** A record just committed, as onStored reports it (the crash processor wakes on crash classes). */
export interface StoredRecordSummary {
  id: number;
  classification: string;
}

export interface WriteResult {
  id: number;
  duplicate: boolean;
}

interface Pending {
  row: RecordToInsert;
  bytes: number;
  enqueuedAt: number;
  settled: boolean;
  resolve(result: WriteResult): void;
  reject(err: AppError): void;
}

export class BatchWriter {
  private readonly options: Required<BatchWriterOptions>;
  private queue: Pending[] = [];
  private inFlight: Pending[] = [];
  private queuedBytes = 0;
  private flushing = false;
  private databaseDown = false;
  private closing = false;
  private idleWaiters: Array<() => void> = [];
  private readonly sweepTimer: NodeJS.Timeout;
  private probeTimer: NodeJS.Timeout | null = null;

  constructor(options: BatchWriterOptions) {
    this.options = { answerDeadlineMs: 5_000, onStored: () => {}, ...options };
    this.sweepTimer = setInterval(() => this.expireOverdue(), SWEEP_INTERVAL_MS).unref();
    options.metrics.queueDepth.reset();
  }

  /** Queues a validated record; resolves with its id once committed. Throws AppError 503 when it cannot. */
  submit(record: TelemetryRecord, receivedAt: Date): Promise<WriteResult> {
    if (this.databaseDown) return Promise.reject(this.countRefused(unavailable()));
    const bytes = record.payload.length + 512;
    if (this.queue.length >= this.options.maxQueueRecords || this.queuedBytes + bytes > this.options.maxQueueBytes) {
      return Promise.reject(this.countRefused(new AppError('INGEST_OVERLOADED', undefined, { headers: { 'Retry-After': '5' } })));
    }
    return new Promise<WriteResult>((resolve, reject) => {
      this.queue.push({ row: { record, receivedAt, fingerprint: computeFingerprint(record) }, bytes, enqueuedAt: Date.now(), settled: false, resolve, reject });
      this.queuedBytes += bytes;
      this.updateGauges();
      if (!this.flushing) void this.flush();
    });
  }

  /** Resolves once everything queued has been committed or answered. */
  async drain(): Promise<void> {
    this.closing = true;
    if (this.queue.length > 0 || this.flushing) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    clearInterval(this.sweepTimer);
    if (this.probeTimer) clearTimeout(this.probeTimer);
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0 && !this.databaseDown) {
        const batch = this.queue.splice(0, MAX_BATCH_RECORDS);
        for (const p of batch) this.queuedBytes -= p.bytes;
        this.inFlight = batch;
        this.updateGauges();
        await this.writeBatch(batch);
        this.inFlight = [];
      }
    } finally {
      this.flushing = false;
      if (this.queue.length === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const live = batch.filter((p) => !p.settled);
    if (live.length === 0) return;
    // Identical records within one batch (a retry racing its original) share one row,
    // unless duplicate detection is off (window 0): then every copy is stored.
    const deduplicate = this.options.duplicateWindowHours > 0;
    const unique = new Map<string, Pending[]>();
    for (const [i, p] of live.entries()) {
      const key = deduplicate ? p.row.fingerprint.toString('hex') : String(i);
      const group = unique.get(key);
      if (group) group.push(p);
      else unique.set(key, [p]);
    }
    const rows = [...unique.values()].map((group) => (group[0] as Pending).row);
    const stopTimer = this.options.metrics.flushSeconds.startTimer();
    try {
      const results = await this.insertWithPartitionRetry(rows);
      stopTimer();
      this.options.metrics.batchSize.observe(rows.length);
      const missing = results.flatMap((r, i) => (r.id === null ? [(rows[i] as RecordToInsert).fingerprint] : []));
      const raced = missing.length ? await findRecordIdsByFingerprint(this.options.pool, missing) : new Map<string, number>();
      [...unique.values()].forEach((group, i) => {
        const result = results[i];
        const id = result?.id ?? raced.get((rows[i] as RecordToInsert).fingerprint.toString('hex')) ?? null;
        group.forEach((p, j) => {
          if (id === null) return this.fail(p, new AppError('INGEST_OVERLOADED', 'The record is being stored by another request; retry later', { headers: { 'Retry-After': '5' } }));
          this.succeed(p, { id, duplicate: (result?.duplicate ?? true) || j > 0 });
        });
      });
      this.reportStored(rows, results);
    } catch (err) {
      stopTimer();
      if (isDatabaseUnavailable(err)) {
        this.markDatabaseDown(err);
        for (const p of [...live, ...this.queue.splice(0)]) this.fail(p, unavailable());
        this.queuedBytes = 0;
        this.updateGauges();
        return;
      }
      if (live.length > 1) {
        // One record the validator let through but the database refuses must not fail its batch.
        this.options.logger.error({ err }, 'batch insert failed; retrying its records one by one');
        for (const p of live) await this.writeBatch([p]);
        return;
      }
      this.options.logger.error({ err }, 'a record could not be stored');
      for (const p of live) this.fail(p, new AppError('INTERNAL'));
    }
  }

  private async insertWithPartitionRetry(rows: RecordToInsert[]) {
    try {
      return await insertRecords(this.options.pool, rows, this.options.duplicateWindowHours);
    } catch (err) {
      if (!isMissingPartition(err)) throw err;
      // A clock jump or a long-running process outran the partitions made ahead: make them now.
      const times = rows.map((r) => r.receivedAt.getTime());
      const first = new Date(Math.min(...times));
      const days = Math.ceil((Math.max(...times) - first.getTime()) / DAY_MS) + 2;
      await ensureRecordPartitions(this.options.pool, first, days);
      return await insertRecords(this.options.pool, rows, this.options.duplicateWindowHours);
    }
  }

  private reportStored(rows: readonly RecordToInsert[], results: ReadonlyArray<{ id: number | null; duplicate: boolean }>): void {
    const stored: StoredRecordSummary[] = [];
    results.forEach((r, i) => {
      if (r.id !== null && !r.duplicate) stored.push({ id: r.id, classification: (rows[i] as RecordToInsert).record.classification });
    });
    if (stored.length === 0) return;
    try {
      this.options.onStored?.(stored);
    } catch (err) {
      this.options.logger.error({ err }, 'onStored callback failed');
    }
  }

  private succeed(p: Pending, result: WriteResult): void {
    if (p.settled) return;
    p.settled = true;
    this.options.metrics.records.inc({ outcome: result.duplicate ? 'duplicate' : 'stored', code: '', reason: '' });
    p.resolve(result);
  }

  private fail(p: Pending, err: AppError): void {
    if (p.settled) return;
    p.settled = true;
    p.reject(this.countRefused(err));
  }

  /** Counts a record the writer answers with an error (503, or 500 for a bug), queued or refused at the door. */
  private countRefused(err: AppError): AppError {
    this.options.metrics.records.inc({ outcome: 'unavailable', code: err.code, reason: '' });
    return err;
  }

  /** Answers 503 to records waiting past the deadline, so no client hangs into its timeout. */
  private expireOverdue(): void {
    const limit = Date.now() - this.options.answerDeadlineMs;
    const overdue = (p: Pending) => !p.settled && p.enqueuedAt < limit;
    for (const p of this.inFlight) if (overdue(p)) this.fail(p, unavailable());
    if (this.queue.some(overdue)) {
      const keep: Pending[] = [];
      for (const p of this.queue) {
        if (overdue(p)) {
          this.queuedBytes -= p.bytes;
          this.fail(p, unavailable());
        } else keep.push(p);
      }
      this.queue = keep;
      this.updateGauges();
    }
  }

  private markDatabaseDown(err: unknown): void {
    if (!this.databaseDown) this.options.logger.error({ err: (err as Error).message }, 'database unavailable: answering 503 until it is back');
    this.databaseDown = true;
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.probeTimer || this.closing) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      this.options.pool.query('SELECT 1').then(
        () => {
          this.databaseDown = false;
          this.options.logger.info('database reachable again: accepting records');
        },
        () => this.scheduleProbe(),
      );
    }, PROBE_INTERVAL_MS);
    this.probeTimer.unref();
  }

  private updateGauges(): void {
    this.options.metrics.queueDepth.set(this.queue.length + this.inFlight.length);
    this.options.metrics.queueBytes.set(this.queuedBytes);
  }
}

function unavailable(): AppError {
  return new AppError('DB_UNAVAILABLE', undefined, { headers: { 'Retry-After': '10' } });
}
