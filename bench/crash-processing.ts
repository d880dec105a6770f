// `npm run bench:crash`: the server (child process, embedded database in a temp
// folder) works off a backlog of 100,000 crash records seeded with varying,
// realistic payloads. Prints the processing rate against analyseCrash alone on the
// same payloads in this process (the baseline), then the collector's p99 at half
// its maximum rate while a second backlog of the same size is worked off, against
// the p99 at that rate with no backlog.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { analyseCrash } from '../src/crash/analyse.ts';
import { Blacklist } from '../src/crash/blacklist.ts';
import { BACKTRACE_CLASSES } from '../src/crash/guilty.ts';
import { analyseCrashOutcome } from '../src/processing/crash-outcome.ts';
import { startChild, stopChild } from './child-process.ts';
import { runLoad, type LoadResult } from './load-driver.ts';
import { nextFormatARequest } from './record-generator.ts';

const BACKLOG = Number(process.env.BENCH_CRASH_RECORDS ?? 100_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const LOAD_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const root = join(import.meta.dirname, '..');
// Frames a C abort passes through: blacklisted as an operator would.
const BLACKLIST: Array<[string, string]> = [['raise()', 'libc.so.6'], ['abort()', 'libc.so.6'], ['__assert_fail()', 'libc.so.6']];

// User-space crashes (70%): 1-3 threads of 4-30 frames, a third C++ (mangled), some `???`, aborts through raise/abort,
// source lines on every third frame, varying PIDs; kernel warnings and bugs (30%) with `? ` frames.
const SEED = `INSERT INTO records (received_at, machine_id, host_type, severity, classification, build, architecture,
  kernel_version, record_version, timestamp_client, payload_version, system_name, board_name, bios_version, cpu_model,
  event_id, payload)
SELECT now(), md5(i::text), 'Intel Corporation|NUC7i5BNH|J31169-310', 3,
  CASE WHEN i % 10 < 7 THEN 'org.clearlinux/crash/clr' WHEN i % 10 < 9 THEN 'org.clearlinux/kernel/warning'
       ELSE 'org.clearlinux/kernel/bug' END,
  (31000 + i % 8 * 10)::text, 'x86_64', '6.1.0-18-amd64', 4, extract(epoch FROM now())::bigint, 1,
  CASE WHEN i % 5 = 0 THEN 'debian' ELSE 'clear-linux-os' END, 'NUC7i5BNB|Intel Corporation', 'BNKBL357.86A',
  'Intel(R) Core(TM) i5-7260U CPU @ 2.20GHz', md5((i + $2::int)::text),
  CASE WHEN i % 10 < 7 THEN
    'Process: /usr/bin/prog' || (i % 60) || E'\\nPID: ' || (1000 + (i * 7919) % 30000) || E'\\nSignal: ' ||
    (CASE WHEN i % 3 = 0 THEN 6 ELSE 11 END) || E'\\n' ||
    (SELECT string_agg(
       E'\\nBacktrace (TID ' || (1000 + (i * 7919) % 30000 + t) || E'):\\n' ||
       (CASE WHEN t = 0 AND i % 3 = 0 THEN E'#0 raise() - [libc.so.6]\\n#1 abort() - [libc.so.6]\\n' ELSE '' END) ||
       (SELECT string_agg(
          '#' || (f + 2) || ' ' ||
          (CASE WHEN (i + f) % 17 = 5 THEN '???'
                WHEN (i + f) % 3 = 1 THEN '_ZN5media' || length('func_' || ((i * 31 + f * 7 + t) % 400)) || 'func_' || ((i * 31 + f * 7 + t) % 400) || 'ERKSt6vectorIhSaIhEEm()'
                ELSE 'func_' || ((i * 31 + f * 7 + t) % 400) || '()' END) ||
          ' - [' || (CASE WHEN (i + f) % 4 = 0 THEN 'libc.so.6' ELSE '/usr/lib64/libmod' || ((i * 31 + f * 7 + t) % 400 % 40) || '.so.1' END) || ']' ||
          (CASE WHEN f % 3 = 0 THEN ' - src/mod/file' || (f + i % 9) || '.c:' || (10 + (i * 13 + f) % 900) ELSE '' END),
          E'\\n' ORDER BY f)
        FROM generate_series(0, 3 + (i * 11 + t * 5) % 27) AS f),
       E'\\n' ORDER BY t)
     FROM generate_series(0, i % 3) AS t) || E'\\n'
  ELSE
    E'Crash Report:\\nReason: ' || (CASE WHEN i % 10 < 9 THEN 'WARNING: CPU: ' || (i % 4) || ' PID: ' || (i % 5000) || ' at drivers/dev' || (i % 30) || '/core.c:' || (100 + i % 200) ELSE 'BUG: unable to handle page fault for address: ' || to_hex(i * 4096) END) ||
    E'\\nKernel Version : 6.1.' || (i % 20) || E'-example #1\\nTainted : G        W\\nModules : snd_hda_intel i915 e1000e\\nBacktrace :\\n' ||
    E'Register RAX: Zero\\nRegister RBX: Non-zero\\nRegister RCX: Non-zero\\nRegister RDX: Zero\\nRegister RSP: Non-zero\\nRegister RBP: Non-zero\\n' ||
    (SELECT string_agg('#' || (f + 1) || ' ' || (CASE WHEN (i + f) % 6 = 2 THEN '? ' ELSE '' END) || 'kfunc_' || ((i * 17 + f * 3) % 250) || '+0x' || to_hex(16 + (i + f) % 200) || '/0x' || to_hex(256 + f) || ' - [kernel]', E'\\n' ORDER BY f)
     FROM generate_series(0, 4 + i % 12) AS f) || E'\\n'
  END
FROM generate_series(1, $1::int) AS i`;

const dataDir = mkdtempSync(join(tmpdir(), 'bench-crash-'));
const server = await startChild(process.execPath, [join(root, 'bin', 'telemetrics.js'), 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir], /"port":(\d+),[^\n]*telemetrics-server ready/);
const db = new pg.Client({ host: join(dataDir, 'run'), user: 'telemetrics', database: 'telemetrics' });
await db.connect();

const lines: string[] = [];
let ok = true;
try {
  await db.query('INSERT INTO guilty_blacklisted (function, module) SELECT * FROM unnest($1::text[], $2::text[])', [BLACKLIST.map((b) => b[0]), BLACKLIST.map((b) => b[1])]);

  // 1. Processing alone: seed a backlog and time until the server has analysed all of it.
  const first = await seedAndTime(1);
  const processingRate = BACKLOG / first.seconds;
  const { baselineRate, outcomeRate } = await measureAnalyseRates();
  lines.push(
    `seeded ${BACKLOG} crash records (${first.mbytes.toFixed(0)} MB of payload) in ${first.seedSeconds.toFixed(1)} s`,
    `  server processing (one process, crash.batchSize default): ${processingRate.toFixed(0)} records/s (${first.seconds.toFixed(1)} s)`,
    `  baseline analyseCrash alone, in process:                   ${baselineRate.toFixed(0)} records/s`,
    `  (analyseCrashOutcome, its part the processor runs:         ${outcomeRate.toFixed(0)} records/s)`,
    `  ratio processing/analyseCrash: ${((processingRate / baselineRate) * 100).toFixed(1)}%`,
  );
  if (processingRate < 5_000) ok = false;

  // 2. The collector at half its maximum rate, without and then with a backlog being worked off.
  const load = (ratePerSecond: number | undefined, durationMs: number) =>
    runLoad({ port: server.port, path: '/v2/collector', concurrency: CONCURRENCY, durationMs, keepAlive: true, ratePerSecond, generate: nextFormatARequest });
  await load(undefined, 2_000);
  const max = await load(undefined, 5_000);
  await waitForBacklog(0, 120_000);
  const half = max.requestsPerSecond / 2;
  const quiet = await load(half, LOAD_MS);
  await waitForBacklog(0, 120_000);
  const seeded = await seed(2);
  const started = performance.now();
  // Long enough to cover the whole work-off: while ingesting, the processor works at half duty.
  const loaded = await load(half, Math.max(LOAD_MS, first.seconds * 3000));
  const backlogLeft = await countBacklog();
  await waitForBacklog(0, 600_000);
  const workedOffSeconds = (performance.now() - started) / 1000;
  lines.push(
    `collector, keep-alive, ${CONCURRENCY} clients: max ${max.requestsPerSecond.toFixed(0)} req/s; load at half: ${half.toFixed(0)} req/s`,
    line('  no backlog', quiet),
    line(`  backlog of ${seeded.rows}`, loaded),
    `  backlog worked off in ${workedOffSeconds.toFixed(1)} s under load: ${(seeded.rows / workedOffSeconds).toFixed(0)} records/s (${backlogLeft} left when the load stopped)`,
    `  p99 ratio backlog/no backlog: ${(loaded.p99Ms / Math.max(quiet.p99Ms, 0.001)).toFixed(2)}`,
  );
  if (loaded.p99Ms >= 100 || loaded.non2xx + loaded.errors > 0) ok = false;
} finally {
  await db.end();
  await stopChild(server.child);
  rmSync(dataDir, { recursive: true, force: true });
}

process.stdout.write(`crash processing benchmark\n${lines.join('\n')}\n`);
process.stdout.write(`targets (>= 5000 records/s; p99 < 100 ms at half rate while working off; no errors): ${ok ? 'met' : 'NOT met'}\n`);

async function seed(round: number): Promise<{ rows: number; seconds: number }> {
  const t0 = performance.now();
  const result = await db.query(SEED, [BACKLOG, round * 10_000_000]);
  return { rows: result.rowCount ?? 0, seconds: (performance.now() - t0) / 1000 };
}

/** Seeds a backlog and times from its commit until the server has analysed all of it. */
async function seedAndTime(round: number): Promise<{ seconds: number; seedSeconds: number; mbytes: number }> {
  const seeded = await seed(round);
  const t0 = performance.now();
  await waitForBacklog(0, 600_000);
  const seconds = (performance.now() - t0) / 1000;
  const size = await db.query<{ mb: number }>('SELECT (sum(octet_length(payload)) / 1e6)::float8 AS mb FROM records WHERE classification = ANY($1)', [BACKTRACE_CLASSES]);
  return { seconds, seedSeconds: seeded.seconds, mbytes: size.rows[0]?.mb ?? 0 };
}

async function countBacklog(): Promise<number> {
  const result = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM records r WHERE classification = ANY($1) AND NOT EXISTS (SELECT 1 FROM crash_analysis a WHERE a.record_id = r.id)',
    [BACKTRACE_CLASSES],
  );
  return result.rows[0]?.n ?? 0;
}

async function waitForBacklog(target: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while ((await countBacklog()) > target) {
    if (performance.now() > deadline) throw new Error(`crash backlog not worked off within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** analyseCrash (and the processor's analyseCrashOutcome) over the seeded payloads, in this process, with the same blacklist. */
async function measureAnalyseRates(): Promise<{ baselineRate: number; outcomeRate: number }> {
  const result = await db.query<{ classification: string; payload: string }>('SELECT classification, payload FROM records WHERE classification = ANY($1) ORDER BY id LIMIT $2', [BACKTRACE_CLASSES, BACKLOG]);
  const blacklist = new Blacklist(BLACKLIST.map(([f, m]) => ({ function: f, module: m })));
  const options = { classes: BACKTRACE_CLASSES, signatureFrames: 5 };
  const time = (analyse: (payload: string, classification: string) => unknown) => {
    for (const r of result.rows.slice(0, 2000)) analyse(r.payload, r.classification); // warm-up
    const t0 = performance.now();
    for (const r of result.rows) analyse(r.payload, r.classification);
    return result.rows.length / ((performance.now() - t0) / 1000);
  };
  return {
    baselineRate: time((payload, classification) => analyseCrash(payload, classification, blacklist)),
    outcomeRate: time((payload, classification) => analyseCrashOutcome(payload, classification, blacklist, options)),
  };
}

function line(name: string, r: LoadResult): string {
  return `${name.padEnd(24)} ${r.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${r.p50Ms.toFixed(1)} ms  p99 ${r.p99Ms.toFixed(1)} ms  non-2xx ${r.non2xx}  errors ${r.errors}  (${r.requests} requests)`;
}
