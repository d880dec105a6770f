import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { forgetMachine } from '../../../src/db/queries/forget.ts';
import { ADVISORY_LOCKS } from '../../../src/db/advisory-locks.ts';
import { countRollupMachinesByBuild, isMachineRollupFilter } from '../../../src/db/queries/machine-rollups.ts';
import { foldCountDeltas, foldRollupDeltas, vacuumRollupDeltas } from '../../../src/db/queries/rollup-deltas.ts';
import { countMachinesByBuild } from '../../../src/db/queries/population.ts';
import type { RecordFilter } from '../../../src/db/queries/record-filter.ts';
import {
  countRollupsByBuild,
  countRollupsByClassification,
  countRollupsByHostType,
  countRollupsOverTime,
  isRollupFilter,
  isRollupTimeseries,
  receivedBounds,
  splitReceivedRange,
} from '../../../src/db/queries/record-rollups.ts';
import { deleteRecordBatch, detachRecordPartition, dropRecordPartition } from '../../../src/db/queries/retention.ts';
import { countRecordsByBuild, countRecordsByClassification, countRecordsByHostType, countRecordsOverTime, type TimeseriesOptions } from '../../../src/db/queries/stats.ts';
import { insertGeneratedRecords, insertSeedRecords, type SeedRecord } from '../../api/seed-records.ts';
import { insertAgedRecords, partitionNameOf } from '../../helpers/aged-records.ts';
import { databaseTargets } from '../../helpers/database.ts';
import { sendRequest } from '../../helpers/http-requests.ts';
import { buildDistinctRecord } from '../../helpers/ingest-records.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;

describe('splitReceivedRange', () => {
  const at = (iso: string) => new Date(iso);
  test('splits a range into raw edges, whole hours and whole days', () => {
    const segments = splitReceivedRange(at('2024-05-01T10:20:00Z'), at('2024-05-04T03:30:00Z'), ['day', 'hour', 'raw']);
    assert.deepEqual(
      segments.map((s) => [s.level, s.from?.toISOString(), s.to?.toISOString()]),
      [
        ['raw', '2024-05-01T10:20:00.000Z', '2024-05-01T11:00:00.000Z'],
        ['hour', '2024-05-01T11:00:00.000Z', '2024-05-02T00:00:00.000Z'],
        ['day', '2024-05-02T00:00:00.000Z', '2024-05-04T00:00:00.000Z'],
        ['hour', '2024-05-04T00:00:00.000Z', '2024-05-04T03:00:00.000Z'],
        ['raw', '2024-05-04T03:00:00.000Z', '2024-05-04T03:30:00.000Z'],
      ],
    );
  });

  test('keeps a range within one hour raw and an unbounded range in days', () => {
    assert.deepEqual(splitReceivedRange(at('2024-05-01T10:20:00Z'), at('2024-05-01T10:40:00Z'), ['day', 'hour', 'raw']).map((s) => s.level), ['raw']);
    assert.deepEqual(splitReceivedRange(undefined, undefined, ['day', 'hour', 'raw']), [{ level: 'day', from: undefined, to: undefined }]);
    assert.deepEqual(splitReceivedRange(at('2024-05-02T00:00:00Z'), at('2024-05-01T00:00:00Z'), ['day', 'hour', 'raw']), []);
  });
});

describe('isRollupFilter', () => {
  test('accepts the columns of one rollup and receive times, refuses the rest', () => {
    assert.equal(isRollupFilter({ build: '1', classification: { kind: 'prefix', value: 'a/' }, receivedWithinSeconds: 60 }), true);
    assert.equal(isRollupFilter({ build: '1' }, 'host_type'), false);
    assert.equal(isRollupFilter({ architecture: 'x86_64', external: true }, 'host_type'), true);
    assert.equal(isRollupFilter({ machineId: 'm' }), false);
    assert.equal(isRollupFilter({ payloadRegex: 'x' }), false);
    assert.equal(isRollupFilter({ createdFrom: 1n }), false);
  });

  test('sends population by machine to the records (indexed), the other rollup columns to the machine rollup', () => {
    assert.equal(isMachineRollupFilter({ classification: { kind: 'any' }, systemName: { kind: 'exact', value: 'x' }, build: '1', external: true }), true);
    assert.equal(isMachineRollupFilter({ machineId: 'm' }), false);
    assert.equal(isMachineRollupFilter({ severity: 2 }), false);
  });
});

const POPULATION_WINDOWS = [null, 14, 7, 3, 1];
const HEARTBEAT = 'org.clearlinux/heartbeat/ping';

for (const target of databaseTargets()) {
  describe(`record rollups against the raw queries (${target.name})`, () => {
    let server: TestServer;
    const now = new Date();
    const nowSeconds = Math.floor(now.getTime() / 1000);

    before(async () => {
      server = await startTestServer(target);
      // Through ingest (the batch writer's insert statement).
      for (let i = 0; i < 12; i++) {
        const record = buildDistinctRecord(`ingested ${i}`);
        const headers = { ...record.headers, classification: i % 3 === 0 ? HEARTBEAT : 'org.clearlinux/crash/segfault', severity: String(1 + (i % 4)), machine_id: `ingest-${i % 4}`, build: String(31000 + (i % 2)), creation_timestamp: String(nowSeconds - i * 3600) };
        const answer = await sendRequest(server.baseUrl, { path: '/v2/collector', headers, body: record.body });
        assert.equal(answer.status, 201, answer.body.toString());
      }
      // Direct inserts: spread over 40 days at unaligned times, and 2000 rows of the last hour.
      const rows: Partial<SeedRecord>[] = [];
      for (let i = 0; i < 400; i++) {
        rows.push({
          receivedAt: new Date(now.getTime() - (i * 2.37 * HOUR) % (40 * DAY)),
          machineId: `m-${i % 37}`,
          build: String(100 + (i % 5)),
          classification: i % 4 === 0 ? HEARTBEAT : `org.clearlinux/crash/c${i % 3}`,
          severity: 1 + (i % 4),
          hostType: `host|${i % 6}`,
          systemName: i % 7 === 0 ? 'debian' : 'clear-linux-os',
          architecture: i % 9 === 0 ? 'aarch64' : 'x86_64',
          external: i % 5 === 0,
          timestampClient: nowSeconds - ((i * 7919) % (30 * 86_400)),
        });
      }
      await insertSeedRecords(server.db.pool, rows);
      await insertGeneratedRecords(server.db.pool, 2000);
      await insertAgedRecords(server.db.pool, now, [{ ageDays: 50.2, machineId: 'old-1' }, { ageDays: 50.5, machineId: 'old-2' }, { ageDays: 51.5, machineId: 'old-1' }, { ageDays: 52.5, machineId: 'old-3' }]);
    });
    after(() => server.close());

    const FILTERS: Array<[string, RecordFilter]> = [
      ['no filter', {}],
      ['a classification prefix', { classification: { kind: 'prefix', value: 'org.clearlinux/crash/' } }],
      ['an exact classification and system', { classification: { kind: 'exact', value: HEARTBEAT }, systemName: { kind: 'exact', value: 'clear-linux-os' } }],
      ['severity and its range', { severity: 2 }],
      ['a severity range', { severityMin: 2, severityMax: 3 }],
      ['build', { build: '102' }],
      ['host type, architecture and source', { hostType: 'host|1', architecture: 'x86_64', external: false }],
      ['source and system', { external: true, systemName: { kind: 'exact', value: 'debian' } }],
      ['received within 3 days', { receivedWithinSeconds: 3 * 86_400 }],
      ['an unaligned receive range', { receivedFrom: new Date(now.getTime() - 2.5 * DAY - 17_000), receivedTo: new Date(now.getTime() - 20 * 60_000) }],
      ['a receive range within one hour', { receivedFrom: new Date(now.getTime() - 50 * 60_000), receivedTo: new Date(now.getTime() - 10 * 60_000) }],
      ['a receive range from a day start', { receivedFrom: new Date(Math.floor(now.getTime() / DAY) * DAY - 10 * DAY) }],
    ];
    const TIMESERIES: TimeseriesOptions[] = [
      { axis: 'received', bucketSeconds: 3600, groupBy: 'none', seriesLimit: 10 },
      { axis: 'received', bucketSeconds: 3600, groupBy: 'classification', seriesLimit: 2 },
      { axis: 'received', bucketSeconds: 86_400, groupBy: 'build', seriesLimit: 3 },
      { axis: 'received', bucketSeconds: 86_400, groupBy: 'severity', seriesLimit: 10 },
      { axis: 'received', bucketSeconds: 86_400, groupBy: 'host_type', seriesLimit: 4 },
    ];
    const POPULATION_FILTERS: RecordFilter[] = [
      {},
      { classification: { kind: 'exact', value: HEARTBEAT }, systemName: { kind: 'exact', value: 'clear-linux-os' } },
      { external: true },
      { machineId: 'm-3' },
      { build: '101', classification: { kind: 'prefix', value: 'org.clearlinux/' } },
      { classification: { kind: 'prefix', value: 'org.clearlinux/crash/' }, systemName: { kind: 'any' } },
      { classification: { kind: 'prefix', value: 'org.clearlinux/' }, systemName: { kind: 'any' }, external: true },
      { classification: { kind: 'prefix', value: 'org.clearlinux/crash/' }, systemName: { kind: 'exact', value: 'debian' } },
      { classification: { kind: 'any' }, systemName: { kind: 'any' } },
      { classification: { kind: 'any' }, systemName: { kind: 'any' }, external: false, build: '102' },
      { classification: { kind: 'exact', value: 'org.clearlinux/crash/c1' }, systemName: { kind: 'exact', value: 'debian' } },
      { classification: { kind: 'exact', value: HEARTBEAT }, systemName: { kind: 'exact', value: 'clear-linux-os' }, external: true, build: '100' },
      { classification: { kind: 'any' }, systemName: { kind: 'exact', value: 'clear-linux-os' } },
      { classification: { kind: 'any' }, systemName: { kind: 'exact', value: 'debian' }, external: true, build: '100' },
      { systemName: { kind: 'exact', value: 'debian' }, external: false },
      { classification: { kind: 'exact', value: HEARTBEAT }, systemName: { kind: 'any' } },
      { classification: { kind: 'exact', value: 'org.clearlinux/crash/c1' }, systemName: { kind: 'any' }, external: false, build: '101' },
      { classification: { kind: 'exact', value: HEARTBEAT }, external: true },
    ];
    // Each window set also without Overall: the builds listed must not depend on it.
    const POPULATION_WINDOW_SETS = [POPULATION_WINDOWS, [7, 1], [30, 2, 0]];

    /** The raw query's equivalent of a filter: receivedWithinSeconds as the bound the rollup query used. */
    const rawFilter = (filter: RecordFilter): RecordFilter => ({ ...filter, receivedWithinSeconds: undefined, receivedFrom: receivedBounds(filter, now).from });
    const sortSeries = <T extends { bucket: number; key: string | null }>(rows: T[]) =>
      [...rows].sort((a, b) => a.bucket - b.bucket || String(a.key).localeCompare(String(b.key)));

    async function assertRollupsMatchRaw(): Promise<void> {
      await assertCountsMatchRaw();
      const db = server.db.pool;
      // Caught up: every pending delta folded. Counts equal the raw ones before and after.
      await foldRollupDeltas(db, true);
      await assertCountsMatchRaw();
      for (const filter of POPULATION_FILTERS) {
        for (const windows of POPULATION_WINDOW_SETS) {
          assert.deepEqual(await countRollupMachinesByBuild(db, filter, windows), await countMachinesByBuild(db, filter, windows), `population ${JSON.stringify(filter)} ${windows}`);
        }
      }
      await assertMachineRollupsExact();
    }

    /** The count aggregates (rollups plus pending deltas) equal the raw queries. */
    async function assertCountsMatchRaw(): Promise<void> {
      const db = server.db.pool;
      let compared = 0;
      for (const [name, filter] of FILTERS) {
        const raw = rawFilter(filter);
        if (isRollupFilter(filter, 'build')) {
          compared++;
          assert.deepEqual(await countRollupsByBuild(db, filter, undefined, now), await countRecordsByBuild(db, raw), `builds, ${name}`);
          assert.deepEqual(await countRollupsByBuild(db, filter, '^10[0-2]$', now), await countRecordsByBuild(db, raw, '^10[0-2]$'), `builds by pattern, ${name}`);
        }
        if (isRollupFilter(filter, 'classification')) {
          compared++;
          assert.deepEqual(await countRollupsByClassification(db, filter, now), await countRecordsByClassification(db, raw), `classifications, ${name}`);
        }
        if (isRollupFilter(filter, 'host_type')) {
          compared++;
          assert.deepEqual(await countRollupsByHostType(db, filter, now), await countRecordsByHostType(db, raw), `platforms, ${name}`);
        }
        for (const options of TIMESERIES) {
          // The route always bounds a series; here a 45-day range ending now.
          const bounded = { ...filter, receivedTo: filter.receivedTo ?? now, receivedFrom: filter.receivedFrom ?? new Date(now.getTime() - 45 * DAY - 1234) };
          if (!isRollupTimeseries(bounded, options)) continue;
          compared++;
          assert.deepEqual(
            sortSeries(await countRollupsOverTime(db, bounded, options, now)),
            sortSeries(await countRecordsOverTime(db, rawFilter(bounded), options)),
            `timeseries ${options.bucketSeconds} s by ${options.groupBy}, ${name}`,
          );
        }
      }
      assert.ok(compared >= 70, `only ${compared} rollup answers compared`);
    }

    /** The machine rollups and histograms equal what records give, row for row. */
    async function assertMachineRollupsExact(): Promise<void> {
      const db = server.db.pool;
      const differences = await db.query<{ what: string; n: number }>(
        `WITH keys AS (
           SELECT classification, system_name, build, machine_id, external, count(*) AS count, max(timestamp_client) AS last_seen FROM records GROUP BY 1, 2, 3, 4, 5
         ), builds AS (
           SELECT build, machine_id, external, max(last_seen) AS last_seen FROM keys GROUP BY 1, 2, 3
         ), classes AS (
           SELECT classification, build, machine_id, external, max(last_seen) AS last_seen FROM keys GROUP BY 1, 2, 3, 4
         ), systems AS (
           SELECT system_name, build, machine_id, external, max(last_seen) AS last_seen FROM keys GROUP BY 1, 2, 3, 4
         ), prefixes AS (
           -- Each 'a/' and 'a/b/' that a key's classification starts with, computed here without the SQL function.
           SELECT p.prefix, k.build, k.machine_id, k.external, max(k.last_seen) AS last_seen
           FROM keys k JOIN (SELECT DISTINCT substring(classification FROM '^[^/]*/') AS prefix FROM keys
                             UNION SELECT DISTINCT substring(classification FROM '^[^/]*/[^/]*/') FROM keys) p
             ON p.prefix IS NOT NULL AND starts_with(k.classification, p.prefix)
           GROUP BY 1, 2, 3, 4
         )
         SELECT 'machine' AS what, count(*)::int AS n FROM (
           (SELECT * FROM keys EXCEPT ALL SELECT classification, system_name, build, machine_id, external, count, last_seen FROM record_machine_rollups)
           UNION ALL (SELECT classification, system_name, build, machine_id, external, count, last_seen FROM record_machine_rollups EXCEPT ALL SELECT * FROM keys)) d
         UNION ALL SELECT 'build', count(*)::int FROM (
           (SELECT * FROM builds EXCEPT ALL SELECT build, machine_id, external, last_seen FROM record_machine_build_rollups)
           UNION ALL (SELECT build, machine_id, external, last_seen FROM record_machine_build_rollups EXCEPT ALL SELECT * FROM builds)) d
         UNION ALL SELECT 'days', count(*)::int FROM (
           (SELECT classification, system_name, build, external, record_population_day(last_seen), count(*) FROM keys GROUP BY 1, 2, 3, 4, 5
            EXCEPT ALL SELECT classification, system_name, build, external, day, machines FROM record_population_days)
           UNION ALL (SELECT classification, system_name, build, external, day, machines FROM record_population_days
            EXCEPT ALL SELECT classification, system_name, build, external, record_population_day(last_seen), count(*) FROM keys GROUP BY 1, 2, 3, 4, 5)) d
         UNION ALL SELECT 'build days', count(*)::int FROM (
           (SELECT build, external, record_population_day(last_seen), count(*) FROM builds GROUP BY 1, 2, 3
            EXCEPT ALL SELECT build, external, day, machines FROM record_population_build_days)
           UNION ALL (SELECT build, external, day, machines FROM record_population_build_days
            EXCEPT ALL SELECT build, external, record_population_day(last_seen), count(*) FROM builds GROUP BY 1, 2, 3)) d
         UNION ALL SELECT 'classification', count(*)::int FROM (
           (SELECT * FROM classes EXCEPT ALL SELECT classification, build, machine_id, external, last_seen FROM record_machine_classification_rollups)
           UNION ALL (SELECT classification, build, machine_id, external, last_seen FROM record_machine_classification_rollups EXCEPT ALL SELECT * FROM classes)) d
         UNION ALL SELECT 'classification days', count(*)::int FROM (
           (SELECT classification, build, external, record_population_day(last_seen), count(*) FROM classes GROUP BY 1, 2, 3, 4
            EXCEPT ALL SELECT classification, build, external, day, machines FROM record_population_classification_days)
           UNION ALL (SELECT classification, build, external, day, machines FROM record_population_classification_days
            EXCEPT ALL SELECT classification, build, external, record_population_day(last_seen), count(*) FROM classes GROUP BY 1, 2, 3, 4)) d
         UNION ALL SELECT 'system', count(*)::int FROM (
           (SELECT * FROM systems EXCEPT ALL SELECT system_name, build, machine_id, external, last_seen FROM record_machine_system_rollups)
           UNION ALL (SELECT system_name, build, machine_id, external, last_seen FROM record_machine_system_rollups EXCEPT ALL SELECT * FROM systems)) d
         UNION ALL SELECT 'system days', count(*)::int FROM (
           (SELECT system_name, build, external, record_population_day(last_seen), count(*) FROM systems GROUP BY 1, 2, 3, 4
            EXCEPT ALL SELECT system_name, build, external, day, machines FROM record_population_system_days)
           UNION ALL (SELECT system_name, build, external, day, machines FROM record_population_system_days
            EXCEPT ALL SELECT system_name, build, external, record_population_day(last_seen), count(*) FROM systems GROUP BY 1, 2, 3, 4)) d
         UNION ALL SELECT 'prefix', count(*)::int FROM (
           (SELECT * FROM prefixes EXCEPT ALL SELECT classification, build, machine_id, external, last_seen FROM record_machine_prefix_rollups)
           UNION ALL (SELECT classification, build, machine_id, external, last_seen FROM record_machine_prefix_rollups EXCEPT ALL SELECT * FROM prefixes)) d
         UNION ALL SELECT 'prefix days', count(*)::int FROM (
           (SELECT prefix, build, external, record_population_day(last_seen), count(*) FROM prefixes GROUP BY 1, 2, 3, 4
            EXCEPT ALL SELECT classification, build, external, day, machines FROM record_population_prefix_days)
           UNION ALL (SELECT classification, build, external, day, machines FROM record_population_prefix_days
            EXCEPT ALL SELECT prefix, build, external, record_population_day(last_seen), count(*) FROM prefixes GROUP BY 1, 2, 3, 4)) d
         UNION ALL SELECT 'pending deltas', count(*)::int FROM record_rollup_deltas`,
      );
      assert.deepEqual(Object.fromEntries(differences.rows.map((r) => [r.what, r.n])), {
        machine: 0, build: 0, days: 0, 'build days': 0, classification: 0, 'classification days': 0, system: 0, 'system days': 0,
        prefix: 0, 'prefix days': 0, 'pending deltas': 0,
      });
      const totals = await db.query<{ records: number; hourly: number; daily: number; hosts: number; zero: number; days_unequal: number }>(
        `SELECT (SELECT count(*) FROM records)::int AS records, (SELECT sum(count) FROM record_rollups_hourly)::int AS hourly,
           (SELECT sum(count) FROM record_rollups_daily)::int AS daily, (SELECT sum(count) FROM record_host_rollups_daily)::int AS hosts,
           (SELECT count(*) FROM record_rollups_hourly WHERE count <= 0)::int + (SELECT count(*) FROM record_rollups_daily WHERE count <= 0)::int
             + (SELECT count(*) FROM record_host_rollups_daily WHERE count <= 0)::int AS zero,
           (SELECT count(*) FROM (
             (SELECT date_trunc('day', bucket, 'UTC'), classification, build, severity, system_name, external, sum(count) FROM record_rollups_hourly GROUP BY 1, 2, 3, 4, 5, 6
              EXCEPT ALL SELECT bucket, classification, build, severity, system_name, external, count FROM record_rollups_daily)
             UNION ALL (SELECT bucket, classification, build, severity, system_name, external, count FROM record_rollups_daily
              EXCEPT ALL SELECT date_trunc('day', bucket, 'UTC'), classification, build, severity, system_name, external, sum(count) FROM record_rollups_hourly GROUP BY 1, 2, 3, 4, 5, 6)) d)::int AS days_unequal`,
      );
      const t = totals.rows[0];
      assert.ok(t);
      assert.deepEqual(
        { hourly: t.hourly, daily: t.daily, hosts: t.hosts, zero: t.zero, days_unequal: t.days_unequal },
        { hourly: t.records, daily: t.records, hosts: t.records, zero: 0, days_unequal: 0 },
      );
    }

    test('equal the raw aggregates after inserts through ingest and SQL', async () => {
      await assertRollupsMatchRaw();
    });

    test('equal the raw aggregates after forget, batch deletes, an update and partition drops', async () => {
      const db = server.db.pool;
      await forgetMachine(db, 'm-3');
      await forgetMachine(db, 'ingest-1');
      const filter = { anyOf: [{ field: 'classification' as const, value: 'org.clearlinux/crash/c1', days: 0 }] };
      await deleteRecordBatch(db, { from: new Date(now.getTime() - 20 * DAY), to: now, filter, afterId: '0', limit: 50 });
      // The latest heartbeat of a machine goes: its last_seen must fall back to the one before.
      await db.query(`DELETE FROM records WHERE id = (SELECT id FROM records WHERE machine_id = 'm-4' ORDER BY timestamp_client DESC LIMIT 1)`);
      await db.query(`UPDATE records SET build = '104', external = NOT external WHERE machine_id = 'm-5'`);
      // One day dropped while attached, one detached first (what retention does on PG 14+).
      await dropRecordPartition(db, partitionNameOf(new Date(now.getTime() - 50.2 * DAY)), 10_000);
      const detached = partitionNameOf(new Date(now.getTime() - 51.5 * DAY));
      await detachRecordPartition(db, detached, 'concurrently');
      await dropRecordPartition(db, detached, 10_000);
      await assertRollupsMatchRaw();
    });

    test('equal the raw aggregates when records change before the fold reaches them, counts at once', async () => {
      const db = server.db.pool;
      // Holding the fold's lock stands for a fold that lags: every change stays pending.
      const holder = await db.connect();
      try {
        await holder.query('SELECT pg_advisory_lock($1::bigint)', [ADVISORY_LOCKS.rollupFold]);
        assert.equal(await foldRollupDeltas(db, false), null);
        await insertSeedRecords(db, Array.from({ length: 60 }, (_, i) => ({
          receivedAt: new Date(now.getTime() - (i % 3) * DAY - 1000 * i),
          machineId: `lag-${i % 7}`,
          build: String(100 + (i % 3)),
          classification: i % 2 === 0 ? HEARTBEAT : 'org.clearlinux/crash/c1',
          systemName: i % 5 === 0 ? 'debian' : 'clear-linux-os',
          external: i % 4 === 0,
          timestampClient: nowSeconds - i * 4000,
        })));
        // Deleted before any fold saw them: their newest records, one machine entirely, an
        // update, a batch delete and a partition drop, all still pending.
        await db.query(`DELETE FROM records WHERE id IN (SELECT id FROM records WHERE machine_id = 'lag-1' ORDER BY timestamp_client DESC LIMIT 3)`);
        await forgetMachine(db, 'lag-2');
        await db.query(`UPDATE records SET build = '102' WHERE machine_id = 'lag-3' AND timestamp_client > $1`, [nowSeconds - 100_000]);
        await deleteRecordBatch(db, { from: new Date(now.getTime() - 3 * DAY), to: now, filter: { anyOf: [{ field: 'classification' as const, value: 'org.clearlinux/crash/c1', days: 0 }] }, afterId: '0', limit: 5 });
        await dropRecordPartition(db, partitionNameOf(new Date(now.getTime() - 52.5 * DAY)), 10_000);
        const pending = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM record_rollup_deltas');
        assert.ok((pending.rows[0]?.n ?? 0) > 0);
        // The counts do not lag: they add the pending deltas.
        await assertCountsMatchRaw();
      } finally {
        await holder.query('SELECT pg_advisory_unlock($1::bigint)', [ADVISORY_LOCKS.rollupFold]);
        holder.release();
      }
      await assertRollupsMatchRaw();
    });

    test('equal the raw aggregates when population is folded after several count folds', async () => {
      const db = server.db.pool;
      // This session holds the fold's lock, so the background job stays out and every fold
      // here is one this test chose (the lock is re-entrant for its holder).
      const folder = await db.connect();
      try {
        await folder.query('SELECT pg_advisory_lock($1::bigint)', [ADVISORY_LOCKS.rollupFold]);
        await foldRollupDeltas(folder, true);
        const pending = async () =>
          (await db.query<{ deltas: number; staged: number }>('SELECT (SELECT count(*) FROM record_rollup_deltas)::int AS deltas, (SELECT count(*) FROM record_machine_deltas)::int AS staged')).rows[0];
        const machineKeys = async (machineId: string) =>
          (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM record_machine_rollups WHERE machine_id = $1', [machineId])).rows[0]?.n;
        await insertSeedRecords(db, Array.from({ length: 30 }, (_, i) => ({
          receivedAt: new Date(now.getTime() - (i % 4) * DAY - 1000 * i),
          machineId: i % 3 === 0 ? `m-${i % 37}` : `staged-${i % 5}`,
          build: String(100 + (i % 3)),
          classification: i % 2 === 0 ? HEARTBEAT : 'org.clearlinux/crash/c2',
          systemName: i % 4 === 0 ? 'debian' : 'clear-linux-os',
          external: i % 6 === 0,
          timestampClient: nowSeconds - i * 3000,
        })));
        assert.equal(await foldCountDeltas(folder, true), 30);
        // Counts are folded; the machine part waits, staged, for the population fold.
        const staged = await pending();
        assert.equal(staged?.deltas, 0);
        assert.ok((staged?.staged ?? 0) > 0);
        assert.equal(await machineKeys('staged-1'), 0);
        await assertCountsMatchRaw();
        // Changes between count folds: a machine's newest records go, one machine entirely,
        // one moves build, one is seen again; population gets them over several stagings.
        await db.query(`DELETE FROM records WHERE id IN (SELECT id FROM records WHERE machine_id = 'staged-2' ORDER BY timestamp_client DESC LIMIT 2)`);
        assert.ok(((await foldCountDeltas(folder, true)) ?? 0) > 0);
        await forgetMachine(db, 'staged-3');
        await db.query(`UPDATE records SET build = '101' WHERE machine_id = 'staged-4'`);
        await insertSeedRecords(db, [{ receivedAt: now, machineId: 'staged-1', build: '102', classification: HEARTBEAT, timestampClient: nowSeconds + 5 }]);
        assert.ok(((await foldCountDeltas(folder, true)) ?? 0) > 0);
        await assertCountsMatchRaw();
        assert.equal(await machineKeys('staged-1'), 0);
        await foldRollupDeltas(folder, true);
        assert.deepEqual(await pending(), { deltas: 0, staged: 0 });
        assert.ok(((await machineKeys('staged-1')) ?? 0) > 0);
        await assertMachineRollupsExact();
      } finally {
        await folder.query('SELECT pg_advisory_unlock($1::bigint)', [ADVISORY_LOCKS.rollupFold]);
        folder.release();
      }
      await assertRollupsMatchRaw();
    });

    test('answer one wildcard from the level histograms, not the machine rollup', async () => {
      const client = await server.db.pool.connect();
      try {
        await foldRollupDeltas(client, true);
        const levels: Array<[RecordFilter, string[]]> = [
          [{ classification: { kind: 'exact', value: HEARTBEAT }, systemName: { kind: 'any' } }, ['record_population_classification_days', 'record_machine_classification_rollups']],
          [{ classification: { kind: 'any' }, systemName: { kind: 'exact', value: 'clear-linux-os' } }, ['record_population_system_days', 'record_machine_system_rollups']],
          [{ classification: { kind: 'prefix', value: 'org.clearlinux/' }, systemName: { kind: 'any' } }, ['record_population_prefix_days', 'record_machine_prefix_rollups']],
          [{ classification: { kind: 'prefix', value: 'org.clearlinux/crash/' } }, ['record_population_prefix_days', 'record_machine_prefix_rollups']],
        ];
        for (const [filter, tables] of levels) {
          assert.ok((await countRollupMachinesByBuild(client, filter, POPULATION_WINDOWS)).length > 0);
          // Emptied inside a transaction: an answer read from them has no build left.
          await client.query('BEGIN');
          try {
            for (const table of tables) await client.query(`DELETE FROM ${table}`);
            assert.deepEqual(await countRollupMachinesByBuild(client, filter, POPULATION_WINDOWS), [], JSON.stringify(filter));
          } finally {
            await client.query('ROLLBACK');
          }
        }
      } finally {
        client.release();
      }
    });

    test('answer the aggregate routes as the raw queries do', async () => {
      const get = async (url: string) => {
        const res = await server.inject({ url });
        assert.equal(res.statusCode, 200, res.body);
        return res.json();
      };
      const db = server.db.pool;
      await foldRollupDeltas(db, true);
      assert.deepEqual((await get('/api/stats/builds')).builds, (await countRecordsByBuild(db, {})).map((r) => ({ build: r.key, count: r.count })));
      assert.deepEqual(
        (await get('/api/stats/classifications?severity_min=2&system_name=clear-linux-os')).classifications,
        (await countRecordsByClassification(db, { severityMin: 2, systemName: { kind: 'exact', value: 'clear-linux-os' } })).map((r) => ({ classification: r.key, count: r.count })),
      );
      assert.deepEqual(
        (await get('/api/stats/platforms?data_source=external')).platforms,
        (await countRecordsByHostType(db, { external: true })).map((r) => ({ host_type: r.key, count: r.count })),
      );
      const population = await get('/api/stats/population?classification=*&system_name=*');
      const raw = await countMachinesByBuild(db, {}, POPULATION_WINDOWS);
      assert.deepEqual(
        population.windows[0].builds,
        raw.flatMap((r) => (r.windows[0] && r.windows[0].internal + r.windows[0].external > 0 ? [{ build: r.build, ...r.windows[0] }] : [])),
      );
      const from = new Date(Math.floor(now.getTime() / HOUR) * HOUR - 30 * HOUR);
      const series = await get(`/api/stats/timeseries?resolution=hour&received_from=${from.toISOString()}&received_to=${now.toISOString()}`);
      const rawSeries = await countRecordsOverTime(db, { receivedFrom: from, receivedTo: now }, { axis: 'received', bucketSeconds: 3600, groupBy: 'none', seriesLimit: 10 });
      const total = rawSeries.reduce((n, r) => n + r.count, 0);
      assert.equal(series.series[0]?.total ?? 0, total);
    });

    test('answers extreme and inverted receive ranges without a server error', async () => {
      const urls = [
        '/api/stats/builds?received_from=275760-09-13T00:00:00Z',
        '/api/stats/classifications?received_from=2024-05-02&received_to=2024-05-01',
        '/api/stats/platforms?received_from=0001-01-01T00:30:00Z&received_to=275760-09-12T23:59:59Z',
        '/api/stats/timeseries?resolution=day&received_from=1970-01-01T00:00:01Z&received_to=1970-03-01',
        '/api/stats/timeseries?resolution=hour&received_from=2024-05-01T10:10:00Z&received_to=2024-05-01T10:20:00Z&group_by=host_type',
        '/api/stats/population?build=%00',
      ];
      for (const url of urls) {
        const res = await server.inject({ url });
        assert.ok(res.statusCode < 500, `${url}: ${res.statusCode} ${res.body}`);
      }
    });

    test('vacuumRollupDeltas reclaims the folded deltas', async () => {
      const db = await startTestServer(target);
      try {
        await insertGeneratedRecords(db.db.pool, 20);
        await foldRollupDeltas(db.db.pool, true);
        await vacuumRollupDeltas(db.db.pool);
        const stats = await db.db.pool.query<{ relname: string; vacuums: number; dead: number }>(
          "SELECT relname, vacuum_count::int AS vacuums, n_dead_tup::int AS dead FROM pg_stat_user_tables WHERE relname IN ('record_rollup_deltas', 'record_machine_deltas') ORDER BY relname",
        );
        assert.deepEqual(stats.rows.map((r) => r.relname), ['record_machine_deltas', 'record_rollup_deltas']);
        for (const row of stats.rows) {
          assert.ok(row.vacuums >= 1, `${row.relname} was vacuumed (a VACUUM by a non-owner only warns)`);
          assert.equal(row.dead, 0, row.relname);
        }
      } finally {
        await db.close();
      }
    });

    test('is emptied by TRUNCATE records', async () => {
      const db = await startTestServer(target);
      try {
        await insertGeneratedRecords(db.db.pool, 10);
        await foldRollupDeltas(db.db.pool, true);
        await insertGeneratedRecords(db.db.pool, 10);
        await foldCountDeltas(db.db.pool, true);
        await insertGeneratedRecords(db.db.pool, 10);
        await db.db.pool.query('TRUNCATE records');
        const result = await db.db.pool.query<{ n: number }>(
          `SELECT ((SELECT count(*) FROM record_rollups_hourly) + (SELECT count(*) FROM record_rollups_daily) + (SELECT count(*) FROM record_rollup_deltas)
            + (SELECT count(*) FROM record_machine_deltas)
            + (SELECT count(*) FROM record_host_rollups_daily) + (SELECT count(*) FROM record_machine_rollups)
            + (SELECT count(*) FROM record_machine_build_rollups) + (SELECT count(*) FROM record_population_days)
            + (SELECT count(*) FROM record_population_build_days) + (SELECT count(*) FROM record_machine_classification_rollups)
            + (SELECT count(*) FROM record_machine_system_rollups) + (SELECT count(*) FROM record_population_classification_days)
            + (SELECT count(*) FROM record_machine_prefix_rollups) + (SELECT count(*) FROM record_population_prefix_days)
            + (SELECT count(*) FROM record_population_system_days))::int AS n`,
        );
        assert.equal(result.rows[0]?.n, 0);
      } finally {
        await db.close();
      }
    });
  });
}
