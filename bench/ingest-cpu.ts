// `npm run bench:ingest-cpu`: where the CPU of one ingested record goes. Starts the
// server on its embedded database, drives keep-alive load, and divides the CPU time
// of the server process, of its PostgreSQL processes and of the load driver by the
// requests answered; the no-op server of bench:ingest gets the same treatment as the
// baseline. Per-request CPU depends less on what else runs on the machine than req/s
// does, so these figures show which side an optimisation must target.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, stopChild } from './child-process.ts';
import { cpuPerRequest, embeddedPostmasterPid, postgresSeconds, processSeconds } from './process-cpu.ts';
import { runLoad } from './load-driver.ts';
import { nextFormatARequest } from './record-generator.ts';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 8_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const KEEP_ALIVE = process.env.BENCH_KEEP_ALIVE !== 'false';
const root = join(import.meta.dirname, '..');

const dataDir = mkdtempSync(join(tmpdir(), 'bench-ingest-cpu-'));
// BENCH_SERVER_NODE_ARGS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, profiles the server.
const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
const server = await startChild(process.execPath, [...nodeArgs, join(root, 'bin', 'telemetrics.js'), 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir], /"port":(\d+),[^\n]*telemetrics-server ready/);
const noop = await startChild(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'noop-server.ts')], /listening (\d+)/);
try {
  const run = (port: number, durationMs: number) => runLoad({ port, path: '/v2/collector', concurrency: CONCURRENCY, durationMs, keepAlive: KEEP_ALIVE, generate: nextFormatARequest });
  const noopRun = await cpuPerRequest({ server: () => processSeconds(noop.child.pid ?? 0) }, () => run(noop.port, DURATION_MS));
  await run(server.port, 2_000);
  const postmaster = embeddedPostmasterPid(dataDir);
  const serverRun = await cpuPerRequest(
    { server: () => processSeconds(server.child.pid ?? 0), postgres: () => postgresSeconds(postmaster) },
    () => run(server.port, DURATION_MS),
  );
  const perRequest = (microseconds = 0) => `${microseconds.toFixed(0).padStart(5)} µs`;
  process.stdout.write(
    [
      `no-op server: ${noopRun.result.requestsPerSecond.toFixed(0)} req/s; CPU per request: server ${noopRun.microseconds.server?.toFixed(0)} µs, load driver ${noopRun.microseconds.driver?.toFixed(0)} µs`,
      `ingest CPU per request (${KEEP_ALIVE ? 'keep-alive' : 'new connection per request'}, ${CONCURRENCY} clients, ${DURATION_MS / 1000} s): ${serverRun.result.requestsPerSecond.toFixed(0)} req/s, ${serverRun.result.ok2xx} stored`,
      `  server process      ${perRequest(serverRun.microseconds.server)}`,
      `  postgres processes  ${perRequest(serverRun.microseconds.postgres)}`,
      `  load driver         ${perRequest(serverRun.microseconds.driver)}`,
      '',
    ].join('\n'),
  );
} finally {
  await stopChild(noop.child);
  await stopChild(server.child);
  rmSync(dataDir, { recursive: true, force: true });
}
