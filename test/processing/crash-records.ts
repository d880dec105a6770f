// Shared setup of the crash processing tests: crash records stored through the
// ingest insert, a processor on its own metrics registry, and polling the
// database until a condition holds (bounded; never a sleep as an assertion).

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { DEFAULT_CRASH_CLASSES } from '../../src/config/schema.ts';
import type { Pool, Queryable } from '../../src/db/pool.ts';
import { insertRecords } from '../../src/db/queries/records.ts';
import type { TelemetryRecord } from '../../src/protocol/record.ts';
import { CrashProcessor, type CrashProcessorOptions } from '../../src/processing/crash-job.ts';
import { createCrashMetrics } from '../../src/processing/crash-metrics.ts';

export const CLR = 'org.clearlinux/crash/clr';
export const KERNEL_WARNING = 'org.clearlinux/kernel/warning';
export const SILENT = pino({ level: 'silent' });
export const ANALYSIS_OPTIONS = { classes: DEFAULT_CRASH_CLASSES, signatureFrames: 5, logger: SILENT };

export function readCrashFixture(name: string): string {
  return readFileSync(new URL(`../fixtures/crash/${name}`, import.meta.url), 'utf8');
}

export interface CrashRecordInput {
  classification?: string;
  payload: string;
  systemName?: string;
}

/** Stores records as the batch writer does (one statement); returns their ids in order. */
export async function storeRecords(db: Queryable, inputs: readonly CrashRecordInput[]): Promise<number[]> {
  const receivedAt = new Date();
  const rows = inputs.map((input) => ({ record: buildRecord(input), receivedAt, fingerprint: randomBytes(32) }));
  const results = await insertRecords(db, rows, 0);
  return results.map((r) => r.id as number);
}

export function buildRecord(input: CrashRecordInput): TelemetryRecord {
  return {
    machineId: randomBytes(8).toString('hex'),
    hostType: 'blank|blank|blank',
    severity: 3,
    classification: input.classification ?? CLR,
    build: '31000',
    architecture: 'x86_64',
    kernelVersion: '6.1.0',
    recordVersion: 4,
    timestampClient: Math.floor(Date.now() / 1000),
    payloadVersion: 1,
    systemName: input.systemName ?? 'clear-linux-os',
    boardName: 'N/A',
    biosVersion: 'N/A',
    cpuModel: 'N/A',
    eventId: randomBytes(16).toString('hex'),
    external: false,
    payload: input.payload,
  };
}

/** A user-space crash whose first frame is `top()` in the given module, with varying PIDs and addresses. */
export function buildCrashPayload(topFunction: string, i = 0): string {
  return [
    `Process: /usr/bin/app${i % 3}`,
    `PID: ${1000 + i}`,
    'Signal: 11',
    '',
    `Backtrace (TID ${1000 + i}):`,
    `#0 ${topFunction} - [/usr/lib64/libapp.so.1] - src/app.c:${i % 90}`,
    '#1 handle_request() - [/usr/bin/app]',
    '#2 ??? - [libexample.so.2]',
    '#3 __libc_start_main() - [libc.so.6]',
    '',
  ].join('\n');
}

export interface TestProcessor {
  processor: CrashProcessor;
  registry: Registry;
  /** Records this processor analysed and committed, by source. */
  analysed(source?: string): Promise<number>;
}

/** Starts a processor with fast polling, stopped after the test. */
export function startProcessor(t: TestContext, pool: Pool, overrides: Partial<CrashProcessorOptions> = {}): TestProcessor {
  const registry = new Registry();
  const processor = new CrashProcessor({
    pool,
    logger: SILENT,
    metrics: createCrashMetrics(registry),
    classes: DEFAULT_CRASH_CLASSES,
    signatureFrames: 5,
    batchSize: 100,
    pollIntervalMs: 20,
    catchUpIntervalMs: 60_000,
    ...overrides,
  });
  processor.start();
  t.after(() => processor.stop());
  return {
    processor,
    registry,
    async analysed(source?: string) {
      const metric = await registry.getSingleMetricAsString('telemetrics_crash_records_analysed_total');
      let sum = 0;
      for (const line of metric.split('\n')) {
        if (line.startsWith('#') || line.trim() === '') continue;
        if (source !== undefined && !line.includes(`source="${source}"`)) continue;
        sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return sum;
    },
  };
}

/** Polls until `check` returns a value other than undefined/false, at most `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves once every given record has an analysis row. */
export async function waitForAnalysed(db: Queryable, ids: readonly number[], timeoutMs = 10_000): Promise<void> {
  await waitFor(`${ids.length} analysed records`, async () => (await countAnalysed(db, ids)) === ids.length, timeoutMs);
}

export async function countAnalysed(db: Queryable, ids: readonly number[]): Promise<number> {
  const result = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM crash_analysis WHERE record_id = ANY($1::bigint[])', [ids]);
  return result.rows[0]?.n ?? 0;
}

export interface AnalysisView {
  recordId: number;
  function: string | null;
  module: string | null;
  signature: string | null;
  program: string | null;
  signal: number | null;
}

/** The stored analyses of the records, in id order. */
export async function readAnalyses(db: Queryable, ids: readonly number[]): Promise<AnalysisView[]> {
  const result = await db.query<AnalysisView>(
    `SELECT a.record_id::float8 AS "recordId", g.function, g.module, a.signature, a.program, a.signal
     FROM crash_analysis a LEFT JOIN guilty g ON g.id = a.guilty_id
     WHERE a.record_id = ANY($1::bigint[]) ORDER BY a.record_id`,
    [ids],
  );
  return result.rows;
}
