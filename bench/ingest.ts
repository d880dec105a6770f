// `npm run bench:ingest`: the collector on its embedded database against a no-op
// node:http server answering 201, both driven by the same load loop with realistic
// format-A records, over keep-alive and with a new connection per request. Prints
// requests/s, p50/p99, non-2xx, the ratio server/no-op, and checks that the rows in
// the database equal the 2xx answers. Then the cost of the query API's aggregate
// triggers on the same server (bench/aggregate-cost.ts).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { AGGREGATE_INSERT_TRIGGERS, AGGREGATE_PAIRS, AGGREGATE_RUN_MS, AGGREGATE_WARMUP_MS, measureAggregateCost } from './aggregate-cost.ts';
import { startChild, stopChild } from './child-process.ts';
import { cpuPerRequest, embeddedPostmasterPid, postgresSeconds, processSeconds, serverCpuSecondsReader } from './process-cpu.ts';
import { runLoad, type LoadResult } from './load-driver.ts';
import { nextFormatARequest } from './record-generator.ts';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const WARMUP_MS = 2_000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
// Off with BENCH_AGGREGATE_COST=0 (it adds ~4 minutes).
const COMPARE_AGGREGATES = process.env.BENCH_AGGREGATE_COST !== '0';
const root = join(import.meta.dirname, '..');

const dataDir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
const server = await startChild(process.execPath, [join(root, 'bin', 'telemetrics.js'), 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir], /"port":(\d+),[^\n]*telemetrics-server ready/);
const noop = await startChild(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'noop-server.ts')], /listening (\d+)/);

const rows: string[] = [];
let serverAcknowledged = 0;
let ok = true;
try {
  const postmaster = embeddedPostmasterPid(dataDir);
  for (const keepAlive of [true, false]) {
    const mode = keepAlive ? 'keep-alive' : 'new connection per request';
    const run = (port: number, durationMs: number) => runLoad({ port, path: '/v2/collector', concurrency: CONCURRENCY, durationMs, keepAlive, generate: nextFormatARequest });
    await run(noop.port, WARMUP_MS);
    serverAcknowledged += (await run(server.port, WARMUP_MS)).ok2xx;
    const { result: baseline, microseconds: noopCpu } = await cpuPerRequest({ 'no-op': () => processSeconds(noop.child.pid ?? 0) }, () => run(noop.port, DURATION_MS));
    const { result: measured, microseconds: serverCpu } = await cpuPerRequest(
      { server: () => processSeconds(server.child.pid ?? 0), postgres: () => postgresSeconds(postmaster) },
      () => run(server.port, DURATION_MS),
    );
    serverAcknowledged += measured.ok2xx;
    const ratio = measured.requestsPerSecond / baseline.requestsPerSecond;
    rows.push(
      line(`no-op, ${mode}`, baseline),
      line(`server, ${mode}`, measured),
      `  ratio server/no-op (${mode}): ${(ratio * 100).toFixed(1)}%`,
      ...cpuLines(noopCpu, serverCpu),
    );
    if (ratio < 0.5 || measured.p99Ms > 50 || measured.non2xx + measured.errors > 0) ok = false;
  }
  // The triggers are switched off for part of this phase: count the rows first.
  const stored = await countRecords(join(dataDir, 'run'));
  rows.push(`rows in database: ${stored}; 2xx answers from the server: ${serverAcknowledged} -> ${stored === serverAcknowledged ? 'match' : 'MISMATCH'}`);
  if (stored !== serverAcknowledged) ok = false;
  if (COMPARE_AGGREGATES) {
    rows.push(`cost of the query API's aggregate triggers (${AGGREGATE_INSERT_TRIGGERS.join(', ')}), keep-alive, runs of ${AGGREGATE_RUN_MS / 1000} s (one population fold interval; each ending with a fold of its deltas) in ${AGGREGATE_PAIRS} ABBA pairs after a ${AGGREGATE_WARMUP_MS / 1000} s warm-up:`);
    const db = new pg.Client({ host: join(dataDir, 'run'), user: 'telemetrics', database: 'telemetrics' });
    await db.connect();
    try {
      const serverCpuSeconds = serverCpuSecondsReader(server.child.pid ?? 0, dataDir);
      const cost = await measureAggregateCost({ port: server.port, db, concurrency: CONCURRENCY, serverCpuSeconds });
      rows.push(...cost.lines);
      if (cost.failures > 0) ok = false;
    } finally {
      await db.end();
    }
  }
} finally {
  await stopChild(noop.child);
  await stopChild(server.child);
  rmSync(dataDir, { recursive: true, force: true });
}

process.stdout.write(`ingest benchmark: ${CONCURRENCY} concurrent clients, ${DURATION_MS / 1000} s per run, format A, payloads 200 B-8 KB\n`);
process.stdout.write(`${rows.join('\n')}\n`);
process.stdout.write(`targets (>= 50% of no-op, p99 < 50 ms, no errors, rows = 2xx): ${ok ? 'met' : 'NOT met'}\n`);

function line(name: string, r: LoadResult): string {
  return `  ${name.padEnd(36)} ${r.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${r.p50Ms.toFixed(1)} ms  p99 ${r.p99Ms.toFixed(1)} ms  non-2xx ${r.non2xx}  errors ${r.errors}  (${r.requests} requests) ${JSON.stringify(r.statusCounts)}`;
}

/**
 * CPU per answered request of each participant. With both cores busy in both runs, the
 * ratio of the rates is about the inverse ratio of the CPU each request costs in all, so
 * this shows which side a change must shrink to move it.
 */
function cpuLines(noop: Record<string, number>, server: Record<string, number>): string[] {
  const total = (cpu: Record<string, number>) => Object.values(cpu).reduce((sum, v) => sum + v, 0);
  const list = (cpu: Record<string, number>) => Object.entries(cpu).map(([name, us]) => `${name} ${us.toFixed(0)}`).join(' + ');
  return [
    `    CPU µs per request, no-op run: ${list(noop)} = ${total(noop).toFixed(0)}; server run: ${list(server)} = ${total(server).toFixed(0)}`,
    `    ratio the CPU per request predicts (no-op total / server total): ${((total(noop) / total(server)) * 100).toFixed(1)}%`,
  ];
}

async function countRecords(socketDir: string): Promise<number> {
  const client = new pg.Client({ host: socketDir, user: 'telemetrics', database: 'telemetrics' });
  await client.connect();
  try {
    const result = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM records');
    return result.rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}
