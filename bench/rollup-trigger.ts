// `npx tsx bench/rollup-trigger.ts`: the ingest cost of the aggregates' insert triggers
// alone (issue #5), without HTTP, so that a loaded machine's noise stays small. One
// embedded database, pre-seeded with BENCH_TRIGGER_SEED records (bench/query-seed.ts: the
// rollups at a realistic size), then rounds of BENCH_TRIGGER_BATCHES inserts of 20
// realistic rows through the real insertRecords (the batch writer's statement), per
// variant, alternating:
//   none     the insert triggers of the aggregates disabled (the baseline);
//   current  the rollup trigger (migration 0050: one grouped append to
//            record_rollup_deltas) and the MCE row trigger (0066) enabled.
// Prints ms per batch and the ratio against the baseline, and the background fold's
// cost per batch of deltas (count and population folds). The database is thrown away.

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { startEmbeddedDatabase } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { createPool } from '../src/db/pool.ts';
import { foldRollupDeltas } from '../src/db/queries/rollup-deltas.ts';
import { insertRecords, type RecordToInsert } from '../src/db/queries/records.ts';
import { AGGREGATE_INSERT_TRIGGERS } from './aggregate-cost.ts';
import { bulkSeedQueryRecords, QUERY_SEED_CLASSES } from './query-seed.ts';

const SEED = Number(process.env.BENCH_TRIGGER_SEED ?? 1_000_000);
const BATCHES = Number(process.env.BENCH_TRIGGER_BATCHES ?? 400);
const ROUNDS = Number(process.env.BENCH_TRIGGER_ROUNDS ?? 4);
const BATCH_ROWS = 20;
const MACHINES = 30_000;
const DUPLICATE_WINDOW_HOURS = 48;
const out = (line: string) => process.stdout.write(`${line}\n`);
const loadAverage = () => loadavg().map((n) => n.toFixed(1)).join(' ');

type Variant = 'none' | 'current';

let sequence = 0;
const CLASS_TOTAL = QUERY_SEED_CLASSES.reduce((n, [, , w]) => n + w, 0);

/** A batch like the collector's: machines of the seeded fleet, the newest builds, now. */
function buildBatch(builds: readonly string[]): RecordToInsert[] {
  const now = new Date();
  return Array.from({ length: BATCH_ROWS }, () => {
    const n = sequence++;
    const machine = Math.floor(Math.random() * MACHINES);
    let pick = Math.random() * CLASS_TOTAL;
    const [classification, severity] = QUERY_SEED_CLASSES.find(([, , w]) => (pick -= w) < 0) ?? QUERY_SEED_CLASSES[0] ?? ['x/y/z', 1, 1];
    const payload = `bench payload ${n} `.repeat(20 + (n % 200));
    const record = {
      machineId: createHash('md5').update(`machine${machine + 1}`).digest('hex'),
      hostType: `host|${machine % 13}`,
      severity,
      classification,
      build: builds[(machine + (Math.random() < 0.1 ? 1 : 0)) % builds.length] ?? '31000',
      architecture: machine % 10 === 0 ? 'aarch64' : 'x86_64',
      kernelVersion: '6.6.7-1371.native',
      recordVersion: 4,
      timestampClient: Math.floor(now.getTime() / 1000) - (n % 600),
      payloadVersion: 1,
      systemName: machine % 10 < 7 ? 'clear-linux-os' : machine % 2 ? 'debian' : 'ubuntu',
      boardName: 'NUC7i5BNB|Intel Corporation',
      biosVersion: 'BNKBL357.86A.0083.2020.0714.1344',
      cpuModel: 'Intel(R) Core(TM) i5-7260U CPU @ 2.20GHz',
      eventId: createHash('md5').update(`event ${n} ${Math.random()}`).digest('hex'),
      external: machine % 10 < 3,
      payload,
    };
    return { record, receivedAt: now, fingerprint: createHash('sha256').update(JSON.stringify(record)).digest() };
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'bench-trigger-'));
try {
  out(`rollup trigger benchmark: ${SEED.toLocaleString('en')} seeded records, ${ROUNDS} rounds × ${BATCHES} batches of ${BATCH_ROWS} per variant; load average ${loadAverage()}`);
  const database = await startEmbeddedDatabase({ dataDir, logger: pino({ level: 'warn' }) });
  const pool = createPool(database.connection, { max: 2 });
  try {
    await migrate(pool);
    const client = new pg.Client(database.connection);
    await client.connect();
    const started = performance.now();
    await bulkSeedQueryRecords(client, { records: SEED, now: new Date() });
    await client.query('VACUUM ANALYZE');
    const sizes = await client.query<{ hourly: string; machines: string }>(
      'SELECT (SELECT count(*) FROM record_rollups_hourly) AS hourly, (SELECT count(*) FROM record_machine_rollups) AS machines',
    );
    out(`seeded in ${((performance.now() - started) / 1000).toFixed(0)} s; hourly rollup ${Number(sizes.rows[0]?.hourly).toLocaleString('en')} rows, machine rollup ${Number(sizes.rows[0]?.machines).toLocaleString('en')} rows`);
    const builds = (await client.query<{ build: string }>(`SELECT build FROM record_machine_build_rollups GROUP BY build ORDER BY max(last_seen) DESC LIMIT 3`)).rows.map((r) => r.build);
    await client.end();

    const setVariant = (variant: Variant) =>
      pool.query(`ALTER TABLE records ${AGGREGATE_INSERT_TRIGGERS.map((name) => `${variant === 'current' ? 'ENABLE' : 'DISABLE'} TRIGGER ${name}`).join(', ')}`);
    const timings: Record<Variant, number[]> = { none: [], current: [] };
    const folds: number[] = [];
    const order: Variant[] = ['none', 'current'];
    // Warm-up: plans cached, pages in memory.
    for (const variant of order) {
      await setVariant(variant);
      for (let i = 0; i < 50; i++) await insertRecords(pool, buildBatch(builds), DUPLICATE_WINDOW_HOURS);
    }
    await foldRollupDeltas(pool, true);
    for (let round = 0; round < ROUNDS; round++) {
      const rotated = round % 2 === 0 ? order : [...order].reverse(); // ABBA
      for (const variant of rotated) {
        await setVariant(variant);
        const batches = Array.from({ length: BATCHES }, () => buildBatch(builds));
        const t0 = performance.now();
        for (const batch of batches) await insertRecords(pool, batch, DUPLICATE_WINDOW_HOURS);
        const ms = (performance.now() - t0) / BATCHES;
        timings[variant].push(ms);
        let line = `  round ${round + 1} ${variant.padEnd(7)} ${ms.toFixed(3)} ms per batch`;
        if (variant === 'current') {
          const f0 = performance.now();
          await foldRollupDeltas(pool, true);
          const foldMs = (performance.now() - f0) / BATCHES;
          folds.push(foldMs);
          line += `; fold ${foldMs.toFixed(3)} ms per batch of deltas (background)`;
        }
        out(`${line}; load ${loadAverage()}`);
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const none = mean(timings.none);
    out(`\nmean ms per batch of ${BATCH_ROWS}: none ${none.toFixed(3)}, current ${mean(timings.current).toFixed(3)}`);
    out(`triggers: ${((mean(timings.current) / none) * 100).toFixed(1)}% of the baseline's time per batch (cost ${((mean(timings.current) / none - 1) * 100).toFixed(1)}%)`);
    out(`fold (off the insert path): ${mean(folds).toFixed(3)} ms per batch of deltas; load average at the end ${loadAverage()}`);
  } finally {
    await pool.end();
    await database.stop();
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
