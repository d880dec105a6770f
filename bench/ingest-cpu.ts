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
import { embeddedPostmasterPid, postgresSeconds, processSeconds } from './process-cpu.ts';
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
  const noopStart = { server: processSeconds(noop.child.pid ?? 0), driver: process.cpuUsage() };
  const noopRun = await runLoad({ port: noop.port, path: '/v2/collector', concurrency: CONCURRENCY, durationMs: DURATION_MS, keepAlive: KEEP_ALIVE, generate: nextFormatARequest });
  const noopServer = processSeconds(noop.child.pid ?? 0) - noopStart.server;
  const noopDriver = process.cpuUsage(noopStart.driver);
  const run = () => runLoad({ port: server.port, path: '/v2/collector', concurrency: CONCURRENCY, durationMs: DURATION_MS, keepAlive: KEEP_ALIVE, generate: nextFormatARequest });
  await runLoad({ port: server.port, path: '/v2/collector', concurrency: CONCURRENCY, durationMs: 2_000, keepAlive: KEEP_ALIVE, generate: nextFormatARequest });
  const postmaster = embeddedPostmasterPid(dataDir);
  const before = { server: processSeconds(server.child.pid ?? 0), postgres: postgresSeconds(postmaster), driver: process.cpuUsage() };
  const result = await run();
  const after = { server: processSeconds(server.child.pid ?? 0), postgres: postgresSeconds(postmaster), driver: process.cpuUsage(before.driver) };
  const n = result.ok2xx;
  const perRequest = (seconds: number) => `${((seconds / n) * 1e6).toFixed(0).padStart(5)} µs`;
  const driverSeconds = (after.driver.user + after.driver.system) / 1e6;
  process.stdout.write(
    [
      `no-op server: ${noopRun.requestsPerSecond.toFixed(0)} req/s; CPU per request: server ${((noopServer / noopRun.ok2xx) * 1e6).toFixed(0)} µs, load driver ${(((noopDriver.user + noopDriver.system) / 1e6 / noopRun.ok2xx) * 1e6).toFixed(0)} µs`,
      `ingest CPU per request (${KEEP_ALIVE ? 'keep-alive' : 'new connection per request'}, ${CONCURRENCY} clients, ${DURATION_MS / 1000} s): ${result.requestsPerSecond.toFixed(0)} req/s, ${n} stored`,
      `  server process      ${perRequest(after.server - before.server)}`,
      `  postgres processes  ${perRequest(after.postgres - before.postgres)}`,
      `  load driver         ${perRequest(driverSeconds)}`,
      '',
    ].join('\n'),
  );
} finally {
  await stopChild(noop.child);
  await stopChild(server.child);
  rmSync(dataDir, { recursive: true, force: true });
}
