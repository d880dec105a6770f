// `npm run bench:query`: the query API at fleet scale (issue #5). Seeds
// BENCH_QUERY_RECORDS (default 10,000,000) records into a fresh embedded database
// (bench/query-seed.ts), starts `telemetrics serve` on it, waits for the crash
// processor to analyse every crash record, then measures over HTTP on 127.0.0.1:
// p50/p95 of every aggregate and of /api/records with typical filters (warm, a bounded
// number of requests each), the export streaming rate for CSV and JSON Lines (the second
// of two exports of the same million records), and the
// ingest cost of the rollup triggers (same load with the insert trigger on and off,
// alternating, in this run). Exits non-zero when the seeded rows or the rollups do not
// add up, or a request fails.

import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { migrate } from '../src/db/migrate.ts';
import { createPool } from '../src/db/pool.ts';
import { startEmbeddedDatabase } from '../src/db/embedded.ts';
import { startChild, stopChild } from './child-process.ts';
import { serverCpuSecondsReader } from './process-cpu.ts';
import { bulkSeedQueryRecords } from './query-seed.ts';
import { AGGREGATE_INSERT_TRIGGERS, AGGREGATE_PAIRS, AGGREGATE_RUN_MS, AGGREGATE_WARMUP_MS, measureAggregateCost } from './aggregate-cost.ts';

const RECORDS = Number(process.env.BENCH_QUERY_RECORDS ?? 10_000_000);
const REQUESTS = Number(process.env.BENCH_QUERY_REQUESTS ?? 30);
const WARMUPS = 3;
const ENDPOINT_BUDGET_MS = Number(process.env.BENCH_QUERY_ENDPOINT_MS ?? 20_000);
const EXPORT_ROWS = Math.min(1_000_000, RECORDS);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const CRASH_CLASSES = ['org.clearlinux/crash/clr', 'org.clearlinux/kernel/bug', 'org.clearlinux/kernel/stackoverflow', 'org.clearlinux/kernel/warning'];
// A folder that keeps the seeded and analysed database between runs (seeding 10 M
// records takes ~20 minutes): copied from when it holds BENCH_QUERY_RECORDS records,
// filled otherwise. Each run measures a copy, so the ingest phase never changes it.
const TEMPLATE = process.env.BENCH_QUERY_TEMPLATE || undefined;
const TEMPLATE_MARKER = 'bench-query-seed.json';
// Seconds to wait after the server is up before measuring: a start on 10 M records re-reads
// every crash record (the crash processor's catch-up) and vacuums what migrations filled.
const SETTLE_SECONDS = Number(process.env.BENCH_QUERY_SETTLE_SECONDS ?? 0);
const root = join(import.meta.dirname, '..');
const out = (line: string) => process.stdout.write(`${line}\n`);
let ok = true;

const dataDir = mkdtempSync(join(tmpdir(), 'bench-query-'));
const connection = { host: join(dataDir, 'run'), user: 'telemetrics', database: 'telemetrics' };
try {
  out(`query benchmark: ${RECORDS.toLocaleString('en')} records (BENCH_QUERY_RECORDS), load average ${loadAverage()}`);
  const reused = TEMPLATE !== undefined && templateRecords(TEMPLATE) === RECORDS;
  if (reused) {
    copyDataFolder(TEMPLATE, dataDir);
    out(`copied the database seeded on ${readTemplateMarker(TEMPLATE)?.seededAt} from ${TEMPLATE} (BENCH_QUERY_TEMPLATE)`);
  } else {
    await seed(new Date());
  }
  let server = await startServer();
  let db = new pg.Client(connection);
  try {
    await db.connect();
    await waitForCrashProcessing(db);
    if (TEMPLATE !== undefined && !reused) {
      // Keep the seeded and analysed database for the next run; PostgreSQL must be stopped to copy it.
      await db.end();
      await stopChild(server.child);
      rmSync(TEMPLATE, { recursive: true, force: true });
      copyDataFolder(dataDir, TEMPLATE);
      writeFileSync(join(TEMPLATE, TEMPLATE_MARKER), JSON.stringify({ records: RECORDS, seededAt: new Date().toISOString() }));
      out(`kept the seeded database in ${TEMPLATE} for the next run`);
      server = await startServer();
      db = new pg.Client(connection);
      await db.connect();
    }
    if (SETTLE_SECONDS > 0) {
      out(`letting the server's start-up work settle for ${SETTLE_SECONDS} s (BENCH_QUERY_SETTLE_SECONDS), load average ${loadAverage()}`);
      await new Promise((resolve) => setTimeout(resolve, SETTLE_SECONDS * 1000));
      out(`  load average now ${loadAverage()}`);
    }
    const sample = await pickSampleValues(db);
    await measureEndpoints(server.port, sample);
    await measureExports(server.port, db);
    await checkRollups(db);
    await measureIngestCost(server.port, db, serverCpuSecondsReader(server.child.pid ?? 0, dataDir));
    out(`\nload average at the end: ${loadAverage()}`);
  } finally {
    await db.end().catch(() => undefined);
    await stopChild(server.child);
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
out(ok ? 'checks: rows seeded, rollups and every answer ok' : 'checks: FAILED (see above)');
process.exit(ok ? 0 : 1);

function startServer() {
  return startChild(
    process.execPath,
    [join(root, 'bin', 'telemetrics.js'), 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--retention-enabled', 'false',
      // Reads without logging in, and no per-minute cap on the measured requests.
      '--public-read', '--query-rate-limit', '0'],
    /"port":(\d+),[^\n]*telemetrics-server ready/,
    // Pending migrations run first: on a copy of an older template they backfill 10 M records' rollups.
    900_000,
  );
}

function readTemplateMarker(template: string): { records: number; seededAt: string } | undefined {
  try {
    return JSON.parse(readFileSync(join(template, TEMPLATE_MARKER), 'utf8')) as { records: number; seededAt: string };
  } catch {
    return undefined;
  }
}

function templateRecords(template: string): number | undefined {
  return readTemplateMarker(template)?.records;
}

function copyDataFolder(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  execFileSync('cp', ['-a', '--reflink=auto', `${from}/.`, to]);
}

async function seed(now: Date): Promise<void> {
  const started = performance.now();
  const database = await startEmbeddedDatabase({ dataDir, logger: pino({ level: 'warn' }) });
  const pool = createPool(database.connection, { max: 1 });
  try {
    await migrate(pool);
    // Seeding statements outlast the pool's query timeout: a plain client has none.
    const client = new pg.Client(database.connection);
    await client.connect();
    try {
      let phaseStarted = performance.now();
      const phase = (name: string) => {
        out(`  seed: ${name} after ${((performance.now() - phaseStarted) / 1000).toFixed(0)} s`);
        phaseStarted = performance.now();
      };
      await bulkSeedQueryRecords(client, {
        records: RECORDS,
        now,
        onChunk: (done) => done % 2_000_000 === 0 && out(`  seed: ${done.toLocaleString('en')} rows`),
        onPhase: (name) => phase(`rows done, building ${name}`),
      });
      phase('rollups done, VACUUM ANALYZE');
      await client.query('VACUUM ANALYZE');
      const count = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM records')).rows[0]?.n);
      out(`seeded ${count.toLocaleString('en')} records in ${((performance.now() - started) / 1000).toFixed(0)} s${count === RECORDS ? '' : ` -- MISMATCH, expected ${RECORDS}`}`);
      if (count !== RECORDS) ok = false;
      const size = await client.query<{ records: string; rollups: string }>(
        `SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) AS records,
           (SELECT pg_size_pretty(sum(pg_total_relation_size(t::regclass))) FROM unnest(ARRAY['record_rollups_hourly', 'record_rollups_daily', 'record_host_rollups_daily', 'record_machine_rollups', 'record_machine_build_rollups', 'record_machine_classification_rollups', 'record_machine_system_rollups', 'record_population_days', 'record_population_build_days', 'record_population_classification_days', 'record_population_system_days', 'record_machine_prefix_rollups', 'record_population_prefix_days']) t) AS rollups
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'records'::regclass`,
      );
      const rows = await client.query<{ t: string; n: string }>(
        `SELECT 'hourly' AS t, count(*) AS n FROM record_rollups_hourly UNION ALL SELECT 'daily', count(*) FROM record_rollups_daily UNION ALL SELECT 'host', count(*) FROM record_host_rollups_daily
         UNION ALL SELECT 'machine', count(*) FROM record_machine_rollups UNION ALL SELECT 'machine per build', count(*) FROM record_machine_build_rollups
         UNION ALL SELECT 'machine per classification', count(*) FROM record_machine_classification_rollups UNION ALL SELECT 'machine per system', count(*) FROM record_machine_system_rollups
         UNION ALL SELECT 'population days', count(*) FROM record_population_days UNION ALL SELECT 'population build days', count(*) FROM record_population_build_days
         UNION ALL SELECT 'population classification days', count(*) FROM record_population_classification_days UNION ALL SELECT 'population system days', count(*) FROM record_population_system_days
         UNION ALL SELECT 'machine per prefix', count(*) FROM record_machine_prefix_rollups UNION ALL SELECT 'population prefix days', count(*) FROM record_population_prefix_days`,
      );
      out(`  size: records ${size.rows[0]?.records}, rollups ${size.rows[0]?.rollups}; rollup rows: ${rows.rows.map((r) => `${r.t} ${Number(r.n).toLocaleString('en')}`).join(', ')}`);
    } finally {
      await client.end();
    }
  } finally {
    await pool.end();
    await database.stop();
  }
}

async function waitForCrashProcessing(db: pg.Client): Promise<void> {
  const started = performance.now();
  const expected = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM records WHERE classification = ANY($1::text[])', [CRASH_CLASSES])).rows[0]?.n);
  let done = 0;
  while (performance.now() - started < 900_000) {
    done = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM crash_analysis')).rows[0]?.n);
    if (done >= expected) break;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  const seconds = (performance.now() - started) / 1000;
  out(`crash processing: ${done.toLocaleString('en')} of ${expected.toLocaleString('en')} crash records analysed in ${seconds.toFixed(0)} s`);
  if (done < expected) ok = false;
  await db.query('VACUUM ANALYZE crash_analysis');
}

interface Sample {
  build: string;
  machineId: string;
}

async function pickSampleValues(db: pg.Client): Promise<Sample> {
  const build = (await db.query<{ build: string }>(`SELECT build FROM record_rollups_hourly GROUP BY build ORDER BY sum(count) DESC LIMIT 1`)).rows[0]?.build ?? '31000';
  const machineId = (await db.query<{ machine_id: string }>(`SELECT machine_id FROM record_machine_rollups ORDER BY machine_id LIMIT 1`)).rows[0]?.machine_id ?? '';
  return { build, machineId };
}

async function measureEndpoints(port: number, sample: Sample): Promise<void> {
  const e = encodeURIComponent;
  const endpoints: Array<[string, string]> = [
    ['stats/builds', '/api/stats/builds'],
    ['stats/builds ^[0-9]+$', `/api/stats/builds?build_pattern=${e('^[0-9]+$')}`],
    ['stats/builds machine_id (raw)', `/api/stats/builds?machine_id=${sample.machineId}`],
    ['stats/classifications', '/api/stats/classifications'],
    ['stats/classifications 7 days', '/api/stats/classifications?created_in_days=7'],
    ['stats/platforms', '/api/stats/platforms'],
    ['stats/timeseries (week of hours)', '/api/stats/timeseries'],
    ['stats/timeseries hour by class', '/api/stats/timeseries?group_by=classification'],
    ['stats/timeseries 90 days by build', '/api/stats/timeseries?resolution=day&group_by=build'],
    ['stats/timeseries day of minutes', '/api/stats/timeseries?resolution=minute'],
    ['stats/population', '/api/stats/population'],
    ['stats/population all', '/api/stats/population?classification=*&system_name=*'],
    ['stats/population any class', '/api/stats/population?classification=*'],
    ['stats/population crash/*', `/api/stats/population?classification=${e('org.clearlinux/crash/*')}&system_name=*`],
    ['stats/population machine_id', `/api/stats/population?machine_id=${sample.machineId}&classification=*&system_name=*`],
    ['crashes/guilties build', `/api/crashes/guilties?build=${sample.build}`],
    ['crashes/guilties machine_id', `/api/crashes/guilties?machine_id=${sample.machineId}`],
    ['stats/mce', '/api/stats/mce'],
    ['stats/thermal', '/api/stats/thermal'],
    ['crashes/guilties', '/api/crashes/guilties'],
    ['crashes/signatures', '/api/crashes/signatures'],
    ['records', '/api/records'],
    ['records classification', `/api/records?classification=${e('org.clearlinux/crash/clr')}`],
    ['records build', `/api/records?build=${sample.build}`],
    ['records machine_id', `/api/records?machine_id=${sample.machineId}`],
    ['records severity', '/api/records?severity=4'],
    ['records classification wildcard', `/api/records?classification=${e('org.clearlinux/mce/*')}`],
    ['records created_in_days', '/api/records?created_in_days=1'],
  ];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  out(`\nendpoint latency, warm (${WARMUPS} warm-ups, then up to ${REQUESTS} requests or ${ENDPOINT_BUDGET_MS / 1000} s each, one at a time)`);
  out(`  ${'endpoint'.padEnd(36)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'n'.padStart(4)}  target p95 < 200 ms`);
  for (const [name, path] of endpoints) {
    for (let i = 0; i < WARMUPS; i++) await get(port, path, agent);
    const times: number[] = [];
    const started = performance.now();
    let failed = '';
    while (times.length < REQUESTS && performance.now() - started < ENDPOINT_BUDGET_MS) {
      const t0 = performance.now();
      const answer = await get(port, path, agent);
      times.push(performance.now() - t0);
      if (answer.status !== 200) failed = `${answer.status} ${answer.body.slice(0, 200)}`;
    }
    times.sort((a, b) => a - b);
    const pct = (p: number) => times[Math.min(times.length - 1, Math.ceil(times.length * p) - 1)] ?? 0;
    const p95 = pct(0.95);
    out(`  ${name.padEnd(36)} ${pct(0.5).toFixed(1).padStart(8)} ${p95.toFixed(1).padStart(8)} ${String(times.length).padStart(4)}  ${failed ? `FAILED: ${failed}` : p95 < 200 ? 'met' : 'not met'}`);
    if (failed) ok = false;
  }
  agent.destroy();
}

function get(port: number, path: string, agent: http.Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.setTimeout(120_000, () => req.destroy(new Error(`${path}: no answer in 120 s`)));
    req.on('error', reject);
  });
}

async function measureExports(port: number, db: pg.Client): Promise<void> {
  // The receive time above which EXPORT_ROWS records lie.
  const since = (await db.query<{ t: Date }>('SELECT received_at AS t FROM records ORDER BY received_at DESC OFFSET $1 LIMIT 1', [EXPORT_ROWS - 1])).rows[0]?.t ?? new Date(0);
  const expected = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM records WHERE received_at >= $1', [since])).rows[0]?.n);
  out(`\nexport of ${expected.toLocaleString('en')} records (received_from=${since.toISOString()}), warm (after one export of the same set), target >= 50,000 rows/s`);
  for (const [name, file, separator] of [['CSV', 'records.csv', '\r\n'], ['JSON Lines', 'records.jsonl', '\n']] as const) {
    const path = `/api/export/${file}?received_from=${encodeURIComponent(since.toISOString())}`;
    const header = name === 'CSV' ? 1 : 0;
    const cold = await exportOnce(port, path, separator);
    const warm = await exportOnce(port, path, separator);
    const rate = (warm.lines - header) / warm.seconds;
    out(`  ${name.padEnd(10)} ${(warm.lines - header).toLocaleString('en')} rows, ${(warm.bytes / 1e6).toFixed(0)} MB in ${warm.seconds.toFixed(1)} s: ${Math.round(rate).toLocaleString('en')} rows/s, first byte ${warm.firstByteMs.toFixed(0)} ms  ${rate >= 50_000 ? 'met' : 'not met'} (cold: ${Math.round((cold.lines - header) / cold.seconds).toLocaleString('en')} rows/s)`);
    for (const run of [cold, warm]) {
      if (run.lines - header !== expected || run.status !== 200) {
        out(`  ${name}: MISMATCH (status ${run.status}, ${run.lines - header} rows, expected ${expected})`);
        ok = false;
      }
    }
  }
}

/** One streamed export, counting its lines as they arrive. */
async function exportOnce(port: number, path: string, separator: string): Promise<{ status: number; lines: number; bytes: number; seconds: number; firstByteMs: number }> {
  const started = performance.now();
  let firstByteMs = 0;
  let lines = 0;
  let bytes = 0;
  const status = await new Promise<number>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path }, (res) => {
      let tail = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        firstByteMs ||= performance.now() - started;
        bytes += Buffer.byteLength(chunk);
        const text = tail + chunk;
        lines += text.split(separator).length - 1;
        // a CRLF split over two chunks is counted in the next one
        tail = separator === '\r\n' && text.endsWith('\r') ? '\r' : '';
      });
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    }).on('error', reject);
  });
  return { status, lines, bytes, seconds: (performance.now() - started) / 1000, firstByteMs };
}

async function checkRollups(db: pg.Client): Promise<void> {
  const result = await db.query<{ records: string; hourly: string; daily: string; host: string; machine: string; days: string; keys: string }>(
    `SELECT (SELECT count(*) FROM records) AS records, (SELECT sum(count) FROM record_rollups_hourly) AS hourly, (SELECT sum(count) FROM record_rollups_daily) AS daily,
       (SELECT sum(count) FROM record_host_rollups_daily) AS host, (SELECT sum(count) FROM record_machine_rollups) AS machine,
       (SELECT sum(machines) FROM record_population_days) AS days, (SELECT count(*) FROM record_machine_rollups) AS keys`,
  );
  const r = result.rows[0];
  const same = r !== undefined && [r.hourly, r.daily, r.host, r.machine].every((n) => n === r.records) && r.days === r.keys;
  out(`\nrollup sums equal count(*) = ${Number(r?.records).toLocaleString('en')}: ${same ? 'yes' : `NO ${JSON.stringify(r)}`}`);
  if (!same) ok = false;
}

/** The same ingest load with the rollup insert trigger on and off, alternating; the ratio of their rates. */
async function measureIngestCost(port: number, db: pg.Client, serverCpuSeconds: () => number): Promise<void> {
  out(`\ningest with and without the aggregate insert triggers (${AGGREGATE_INSERT_TRIGGERS.join(', ')}; ${CONCURRENCY} keep-alive clients, runs of ${AGGREGATE_RUN_MS / 1000} s (BENCH_AGGREGATE_RUN_MS; one population fold interval), each ending with a fold of its deltas, ${AGGREGATE_PAIRS} ABBA pairs after a ${AGGREGATE_WARMUP_MS / 1000} s warm-up)`);
  const cost = await measureAggregateCost({ port, db, concurrency: CONCURRENCY, serverCpuSeconds });
  for (const line of cost.lines) out(line);
  if (cost.failures > 0) ok = false;
  out('  (records ingested with the triggers off are missing from the rollups: this database is thrown away)');
}

function loadAverage(): string {
  return loadavg().map((n) => n.toFixed(2)).join(' ');
}
