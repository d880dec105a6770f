// What keeping the query API's aggregates costs the collector (issue #5: at most 10%).
// The insert triggers are the whole of that cost on the ingest path: the rollup trigger
// appends the batch's deltas (folded in the background: counts every five seconds,
// population every minute; a fold only has work when deltas exist) and the MCE trigger
// copies MCE records into mce_reports.
// The fold is part of the cost: each run lasts one population interval, as in steady
// state, and ends with a fold of everything it left pending while its load still runs,
// timed to its end. (Shorter runs, each ending with a population fold, would charge the
// population fold more often than the server runs it.)
// Runs the same keep-alive load with both on and both off, alternating in ABBA order after
// a warm-up (the first seconds of load on a fresh server run slower whatever the mode),
// and reports the median of the pairs' ratios (and the ratio of the means), and the same
// ratio estimated from CPU per request when the caller can measure the server's CPU.
// Records ingested with the triggers off are missing from the rollups, so only run this
// against a database that is thrown away.

import type pg from 'pg';
import { ADVISORY_LOCKS } from '../src/db/advisory-locks.ts';
import { POPULATION_FOLD_INTERVAL_MS } from '../src/processing/rollup-fold-job.ts';
import { runLoad, type LoadResult } from './load-driver.ts';
import { nextFormatARequest } from './record-generator.ts';

export const AGGREGATE_INSERT_TRIGGERS = ['records_rollups_insert', 'records_mce_insert'];
/** Length of one run: the population fold's interval (BENCH_AGGREGATE_RUN_MS overrides). */
export const AGGREGATE_RUN_MS = Number(process.env.BENCH_AGGREGATE_RUN_MS ?? POPULATION_FOLD_INTERVAL_MS);
/** ABBA pairs of runs (BENCH_AGGREGATE_PAIRS overrides): the median of four survives one spoiled pair, of two it does not. */
export const AGGREGATE_PAIRS = Number(process.env.BENCH_AGGREGATE_PAIRS ?? 4);
/**
 * Load before the first run: after bench:query's exports, or on a fresh server, the
 * ingest path's pages are cold and the first run was the slowest whatever its mode.
 */
export const AGGREGATE_WARMUP_MS = Math.min(30_000, AGGREGATE_RUN_MS);

export interface AggregateCost {
  lines: string[];
  /** The median over the ABBA pairs of req/s with the triggers on divided by req/s with them off. */
  ratio: number;
  failures: number;
}

export interface AggregateCostOptions {
  port: number;
  db: pg.Client;
  concurrency: number;
  durationMs?: number;
  pairs?: number;
  /**
   * CPU seconds used so far by the server process and its PostgreSQL (bench/process-cpu.ts).
   * With it, each run's CPU per request (these plus the load driver, this process) gives a
   * second estimate of the cost: on a machine whose cores the load saturates, throughput
   * is inversely proportional to it, and it moves less than req/s when other work steals
   * time from a run.
   */
  serverCpuSeconds?: () => number;
}

export async function measureAggregateCost(options: AggregateCostOptions): Promise<AggregateCost> {
  const runMs = options.durationMs ?? AGGREGATE_RUN_MS;
  const pairs = options.pairs ?? AGGREGATE_PAIRS;
  // Each run's deltas are folded inside the run, while its load goes on: the background
  // folds leave up to five seconds of count deltas and a minute of population at the end
  // of a run, which would otherwise be folded during the next run, whatever its mode.
  const foldAll = () => options.db.query('SELECT fold_record_rollup_deltas($1::bigint, true)', [ADVISORY_LOCKS.rollupFold]);
  const load = (durationMs: number) =>
    runLoad({ port: options.port, path: '/v2/collector', concurrency: options.concurrency, durationMs, keepAlive: true, holdUntil: foldAll, generate: nextFormatARequest });
  const setTriggers = (on: boolean) =>
    options.db.query(`ALTER TABLE records ${AGGREGATE_INSERT_TRIGGERS.map((name) => `${on ? 'ENABLE' : 'DISABLE'} TRIGGER ${name}`).join(', ')}`);
  await load(AGGREGATE_WARMUP_MS);
  const cpuSeconds = () => {
    const driver = process.cpuUsage();
    return (options.serverCpuSeconds?.() ?? 0) + (driver.user + driver.system) / 1e6;
  };
  const runs: Array<{ on: boolean; result: LoadResult; cpuPerRequest: number }> = [];
  try {
    for (let pair = 0; pair < pairs; pair += 1) {
      // ABBA order, so that drift over the runs (the first run is the coldest) cancels out.
      for (const on of pair % 2 === 0 ? [true, false] : [false, true]) {
        await setTriggers(on);
        await foldAll(); // what the last run's final fold left
        const cpuBefore = cpuSeconds();
        const result = await load(runMs);
        runs.push({ on, result, cpuPerRequest: (cpuSeconds() - cpuBefore) / Math.max(1, result.ok2xx) });
      }
    }
  } finally {
    await setTriggers(true);
  }
  const mean = (on: boolean, pick: (r: LoadResult) => number) => {
    const picked = runs.filter((r) => r.on === on).map((r) => pick(r.result));
    return picked.reduce((a, b) => a + b, 0) / picked.length;
  };
  const withCpu = options.serverCpuSeconds !== undefined;
  const lines = runs.map(
    ({ on, result, cpuPerRequest }) =>
      `  triggers ${on ? 'on ' : 'off'}  ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${result.p50Ms.toFixed(1)} ms  p99 ${result.p99Ms.toFixed(1)} ms  non-2xx ${result.non2xx}  errors ${result.errors}` +
      (withCpu ? `  CPU ${(cpuPerRequest * 1e6).toFixed(0)} µs/request` : ''),
  );
  const meanRatio = mean(true, (r) => r.requestsPerSecond) / mean(false, (r) => r.requestsPerSecond);
  // Each pair's on/off ratio, and their median: one run spoiled by a background pause
  // (it happens, on this machine, to whichever run comes first) moves the mean, not the median.
  const pairedRuns = Array.from({ length: runs.length / 2 }, (_, i) => {
    const [a, b] = [runs[2 * i], runs[2 * i + 1]];
    return { on: a?.on ? a : b, off: a?.on ? b : a };
  });
  const pairRatios = pairedRuns.map(({ on, off }) => (on?.result.requestsPerSecond ?? 0) / (off?.result.requestsPerSecond ?? 1));
  const ratio = median(pairRatios);
  // The CPU estimate of the same ratio: CPU per request without the triggers over with them.
  const cpuRatios = pairedRuns.map(({ on, off }) => (off?.cpuPerRequest ?? 0) / (on?.cpuPerRequest ?? 1));
  lines.push(
    `  ingest rate with/without the aggregate triggers: median of the pairs ${(ratio * 100).toFixed(1)}% (cost ${((1 - ratio) * 100).toFixed(1)}%; target cost <= 10%: ${ratio >= 0.9 ? 'met' : 'not met'}); pairs ${pairRatios.map((r) => `${(r * 100).toFixed(0)}%`).join(', ')}; ratio of the means ${(meanRatio * 100).toFixed(1)}%; p99 ${mean(true, (r) => r.p99Ms).toFixed(1)} vs ${mean(false, (r) => r.p99Ms).toFixed(1)} ms`,
  );
  if (withCpu) {
    const cpuRatio = median(cpuRatios);
    lines.push(
      `  the same from CPU per request (server, PostgreSQL and load driver): median of the pairs ${(cpuRatio * 100).toFixed(1)}% (cost ${((1 - cpuRatio) * 100).toFixed(1)}%); pairs ${cpuRatios.map((r) => `${(r * 100).toFixed(0)}%`).join(', ')}`,
    );
  }
  return { lines, ratio, failures: runs.reduce((n, r) => n + r.result.non2xx + r.result.errors, 0) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
