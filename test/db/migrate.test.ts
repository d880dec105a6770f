import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADVISORY_LOCKS } from '../../src/db/advisory-locks.ts';
import { listMigrations, migrate, pendingMigrations } from '../../src/db/migrate.ts';
import { createPool } from '../../src/db/pool.ts';
import { insertSeedRecords } from '../api/seed-records.ts';
import { createTestDatabase, databaseTargets, type DatabaseTarget } from '../helpers/database.ts';

for (const target of databaseTargets()) {
  describe(`migrate (${target.name})`, () => {
    test('applies every migration to an empty database, then nothing', async (t) => {
      const db = await createTestDatabase(target, { migrate: false });
      t.after(() => db.drop());
      assert.deepEqual(await pendingMigrations(db.pool), listMigrations().map((m) => m.name));
      assert.equal((await migrate(db.pool)).length, listMigrations().length);
      assert.deepEqual(await pendingMigrations(db.pool), []);
      assert.deepEqual(await migrate(db.pool), []);
      const tables = await db.pool.query<{ name: string }>(
        "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'records_p%' ORDER BY 1",
      );
      assert.deepEqual(
        tables.rows.map((r) => r.name),
        [
          'api_tokens', 'crash_analysis', 'crash_signatures', 'guilty', 'guilty_blacklisted', 'imported_records', 'login_attempts', 'mce_reports',
          'quarantined_records', 'record_fingerprints', 'record_host_rollups_daily', 'record_machine_build_rollups', 'record_machine_classification_rollups',
          'record_machine_deltas', 'record_machine_prefix_rollups', 'record_machine_rollups', 'record_machine_system_rollups', 'record_population_build_days', 'record_population_classification_days',
          'record_population_days', 'record_population_prefix_days', 'record_population_system_days', 'record_rollup_deltas', 'record_rollups_daily', 'record_rollups_hourly', 'records', 'reprocess_jobs',
          'retention_runs', 'schema_migrations', 'sessions', 'users',
        ],
      );
    });

    test('applies each migration once when two processes migrate at the same time', async (t) => {
      const db = await createTestDatabase(target, { migrate: false });
      const second = createPool(db.url, { max: 2 });
      t.after(async () => {
        await second.end();
        await db.drop();
      });
      const [a, b] = await Promise.all([migrate(db.pool), migrate(second)]);
      assert.equal(a.length + b.length, listMigrations().length);
      const count = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
      assert.equal(count.rows[0]?.n, listMigrations().length);
    });

    test('0031 and 0032 fill crash_analysis columns and mce_reports on a database with crash analyses', async (t) => {
      const db = await databaseMigratedTo(target, 30);
      t.after(() => db.drop());
      const [crash, imported, mce] = await insertSeedRecords(db.pool, [
        { classification: 'org.clearlinux/crash/clr', build: '31000', machineId: 'm-1', severity: 3, external: true, systemName: 'debian', timestampClient: 1_700_000_000 },
        { classification: 'org.clearlinux/crash/clr', build: '31010', machineId: 'm-2' },
        { classification: 'org.clearlinux/mce/corrected', machineId: 'm-3', payload: 'CPU 0 BANK 5 STATUS 0xbe00000000800400 MCGSTATUS 5\n' },
        { classification: 'org.clearlinux/mce/thermal', machineId: 'm-3' },
        { classification: 'org.clearlinux/hello/world' },
      ]);
      // An imported record's microseconds; its analysis stored the millisecond time; an orphan analysis.
      await db.pool.query("UPDATE records SET received_at = date_trunc('milliseconds', received_at) + interval '123 microseconds' WHERE id = $1", [imported]);
      await db.pool.query(
        `INSERT INTO crash_analysis (record_id, received_at, guilty_id, signature)
         SELECT id, date_trunc('milliseconds', received_at), NULL::integer, 'sig' FROM records WHERE id = ANY($1::bigint[])
         UNION ALL SELECT 999999, now(), NULL, 'gone'`,
        [[crash, imported]],
      );
      const applied = await migrate(db.pool);
      assert.deepEqual(applied.slice(0, 2), ['0031_add_crash_analysis_record_columns', '0032_create_mce_reports']);
      const analyses = await db.pool.query(
        `SELECT a.record_id::float8 AS id, a.received_at = r.received_at AS exact, a.build, a.machine_id, a.system_name, a.severity, a.external,
           a.timestamp_client::float8 AS ts, a.classification
         FROM crash_analysis a LEFT JOIN records r ON r.id = a.record_id ORDER BY a.record_id`,
      );
      assert.deepEqual(analyses.rows.map((r) => ({ ...r })), [
        { id: crash, exact: true, build: '31000', machine_id: 'm-1', system_name: 'debian', severity: 3, external: true, ts: 1_700_000_000, classification: 'org.clearlinux/crash/clr' },
        { id: imported, exact: true, build: '31010', machine_id: 'm-2', system_name: 'clear-linux-os', severity: 2, external: false, ts: analyses.rows[1]?.ts, classification: 'org.clearlinux/crash/clr' },
      ]);
      const reports = await db.pool.query('SELECT record_id::float8 AS id, classification, status FROM mce_reports ORDER BY record_id');
      assert.deepEqual(reports.rows.map((r) => ({ ...r })), [
        { id: mce, classification: 'org.clearlinux/mce/corrected', status: '00800400' },
        { id: (mce as number) + 1, classification: 'org.clearlinux/mce/thermal', status: null },
      ]);
    });

    test('0060 fills the daily rollup from the hourly one and the fold keeps both', async (t) => {
      const db = await databaseMigratedTo(target, 59);
      t.after(() => db.drop());
      const day = Date.UTC(2026, 10, 20);
      const at = (hours: number) => new Date(day + hours * 3_600_000);
      await insertSeedRecords(db.pool, [
        { classification: 'org.clearlinux/hello/world', build: '31000', receivedAt: at(1) },
        { classification: 'org.clearlinux/hello/world', build: '31000', receivedAt: at(5) },
        { classification: 'org.clearlinux/hello/world', build: '31000', receivedAt: at(26) },
      ]);
      await db.pool.query('SELECT fold_record_rollup_deltas($1, true)', [ADVISORY_LOCKS.rollupFold]);
      // Pending before the migration: the new fold must move it into both rollups.
      await insertSeedRecords(db.pool, [{ classification: 'org.clearlinux/hello/world', build: '31000', receivedAt: at(7) }]);
      assert.deepEqual((await migrate(db.pool))[0], '0060_fold_daily_rollup');
      const daily = () =>
        db.pool.query<{ day: string; count: number }>(
          "SELECT to_char(bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count::int FROM record_rollups_daily ORDER BY bucket",
        );
      assert.deepEqual((await daily()).rows.map((r) => ({ ...r })), [{ day: '2026-11-20', count: 2 }, { day: '2026-11-21', count: 1 }]);
      await db.pool.query('SELECT fold_record_rollup_deltas($1, true)', [ADVISORY_LOCKS.rollupFold]);
      assert.deepEqual((await daily()).rows.map((r) => ({ ...r })), [{ day: '2026-11-20', count: 3 }, { day: '2026-11-21', count: 1 }]);
      await db.pool.query("DELETE FROM records WHERE received_at >= '2026-11-21'");
      await db.pool.query('SELECT fold_record_rollup_deltas($1, true)', [ADVISORY_LOCKS.rollupFold]);
      assert.deepEqual((await daily()).rows.map((r) => ({ ...r })), [{ day: '2026-11-20', count: 3 }]);
    });

    test('0060 takes the fold advisory lock of the application', () => {
      const migration = listMigrations().find((m) => m.version === 60);
      assert.ok(migration?.sql.includes(`pg_advisory_xact_lock(${ADVISORY_LOCKS.rollupFold})`));
    });

    test('0062 fills the single-wildcard population levels from the machine rollup and the fold keeps them', async (t) => {
      const db = await databaseMigratedTo(target, 61);
      t.after(() => db.drop());
      const fold = () => db.pool.query('SELECT fold_record_rollup_deltas($1, true)', [ADVISORY_LOCKS.rollupFold]);
      const day = 20_000; // 2024-10-04, days since 1970
      const at = (days: number) => (day + days) * 86_400 + 3600;
      const HEARTBEAT = 'org.clearlinux/heartbeat/ping';
      const CRASH = 'org.clearlinux/crash/clr';
      // One machine under two classifications and two systems, and a second machine.
      await insertSeedRecords(db.pool, [
        { machineId: 'm-1', build: '31000', classification: HEARTBEAT, systemName: 'clear-linux-os', timestampClient: at(0) },
        { machineId: 'm-1', build: '31000', classification: HEARTBEAT, systemName: 'debian', timestampClient: at(2) },
        { machineId: 'm-1', build: '31000', classification: CRASH, systemName: 'clear-linux-os', timestampClient: at(3) },
        { machineId: 'm-2', build: '31000', classification: HEARTBEAT, systemName: 'clear-linux-os', timestampClient: at(1), external: true },
      ]);
      await fold();
      // Pending before the migration: the new fold must move it into the new levels too.
      await insertSeedRecords(db.pool, [{ machineId: 'm-1', build: '31000', classification: CRASH, systemName: 'debian', timestampClient: at(1) }]);
      assert.deepEqual((await migrate(db.pool))[0], '0062_population_single_wildcard');
      const contents = async () => {
        const q = async (sql: string) => (await db.pool.query(sql)).rows.map((r) => Object.values(r).join(' '));
        return {
          classifications: await q('SELECT classification, build, machine_id, external, last_seen - 86400 * 20000 FROM record_machine_classification_rollups ORDER BY 1, 2, 3, 4'),
          systems: await q('SELECT system_name, build, machine_id, external, last_seen - 86400 * 20000 FROM record_machine_system_rollups ORDER BY 1, 2, 3, 4'),
          classificationDays: await q('SELECT classification, build, external, day - 20000, machines FROM record_population_classification_days ORDER BY 1, 2, 3, 4'),
          systemDays: await q('SELECT system_name, build, external, day - 20000, machines FROM record_population_system_days ORDER BY 1, 2, 3, 4'),
        };
      };
      const filled = {
        classifications: [`${CRASH} 31000 m-1 false ${at(3) - day * 86_400}`, `${HEARTBEAT} 31000 m-1 false ${at(2) - day * 86_400}`, `${HEARTBEAT} 31000 m-2 true ${at(1) - day * 86_400}`],
        systems: [`clear-linux-os 31000 m-1 false ${at(3) - day * 86_400}`, `clear-linux-os 31000 m-2 true ${at(1) - day * 86_400}`, `debian 31000 m-1 false ${at(2) - day * 86_400}`],
        classificationDays: [`${CRASH} 31000 false 3 1`, `${HEARTBEAT} 31000 false 2 1`, `${HEARTBEAT} 31000 true 1 1`],
        systemDays: [`clear-linux-os 31000 false 3 1`, `clear-linux-os 31000 true 1 1`, `debian 31000 false 2 1`],
      };
      assert.deepEqual(await contents(), filled);
      // The pending record is older than what the levels hold: folded, nothing moves.
      await fold();
      assert.deepEqual(await contents(), filled);
      // m-1's latest crash goes (its clear-linux-os latest falls back to day 0, its crash
      // latest to the debian one of day 1), a newer debian heartbeat comes, m-2 goes.
      await db.pool.query(`DELETE FROM records WHERE machine_id = 'm-1' AND classification = $1 AND system_name = 'clear-linux-os'`, [CRASH]);
      await db.pool.query(`DELETE FROM records WHERE machine_id = 'm-2'`);
      await insertSeedRecords(db.pool, [{ machineId: 'm-1', build: '31000', classification: HEARTBEAT, systemName: 'debian', timestampClient: at(4) }]);
      await fold();
      assert.deepEqual(await contents(), {
        classifications: [`${CRASH} 31000 m-1 false ${at(1) - day * 86_400}`, `${HEARTBEAT} 31000 m-1 false ${at(4) - day * 86_400}`],
        systems: [`clear-linux-os 31000 m-1 false ${at(0) - day * 86_400}`, `debian 31000 m-1 false ${at(4) - day * 86_400}`],
        classificationDays: [`${CRASH} 31000 false 1 1`, `${HEARTBEAT} 31000 false 4 1`],
        systemDays: [`clear-linux-os 31000 false 0 1`, `debian 31000 false 4 1`],
      });
    });

    test('0063 fills the classification-prefix population level from the 0062 level and the fold keeps it', async (t) => {
      const db = await databaseMigratedTo(target, 62);
      t.after(() => db.drop());
      const at = (days: number) => 1_790_000_000 + days * 86_400;
      await insertSeedRecords(db.pool, [
        { classification: 'org.clearlinux/crash/clr', machineId: 'm-1', build: '100', timestampClient: at(1) },
        { classification: 'org.clearlinux/crash/kernel', machineId: 'm-1', build: '100', timestampClient: at(3) },
        { classification: 'org.clearlinux/heartbeat/ping', machineId: 'm-1', build: '100', timestampClient: at(2) },
        { classification: 'other/x/', machineId: 'm-2', build: '100', timestampClient: at(4) },
        { classification: 'noslash', machineId: 'm-3', build: '100', timestampClient: at(5) },
      ]);
      await db.pool.query('SELECT fold_record_rollup_deltas($1, true)', [ADVISORY_LOCKS.rollupFold]);
      assert.deepEqual((await migrate(db.pool))[0], '0063_population_classification_prefix');
      const prefixes = () =>
        db.pool.query<{ prefix: string; machine: string; seen: number }>(
          'SELECT classification AS prefix, machine_id AS machine, (last_seen - 1790000000)::int / 86400 AS seen FROM record_machine_prefix_rollups ORDER BY 1, 2',
        );
      assert.deepEqual((await prefixes()).rows.map((r) => ({ ...r })), [
        { prefix: 'org.clearlinux/', machine: 'm-1', seen: 3 },
        { prefix: 'org.clearlinux/crash/', machine: 'm-1', seen: 3 },
        { prefix: 'org.clearlinux/heartbeat/', machine: 'm-1', seen: 2 },
        { prefix: 'other/', machine: 'm-2', seen: 4 },
        { prefix: 'other/x/', machine: 'm-2', seen: 4 },
      ]);
      // The newest crash goes: the crash prefix falls back to the older crash, org.clearlinux/ to it too.
      await db.pool.query("DELETE FROM records WHERE classification = 'org.clearlinux/crash/kernel'");
      await db.pool.query('SELECT fold_record_rollup_deltas($1, true)', [ADVISORY_LOCKS.rollupFold]);
      assert.deepEqual((await prefixes()).rows.slice(0, 2).map((r) => ({ ...r })), [
        { prefix: 'org.clearlinux/', machine: 'm-1', seen: 2 },
        { prefix: 'org.clearlinux/crash/', machine: 'm-1', seen: 1 },
      ]);
    });

    test('0064 keeps the machine rollups and makes a same-day re-sighting a HOT update', async (t) => {
      const db = await databaseMigratedTo(target, 63);
      t.after(() => db.drop());
      const day = 20_700;
      const at = (days: number, seconds = 0) => day * 86_400 + days * 86_400 + seconds;
      const heartbeat = { classification: 'org.clearlinux/heartbeat/ping', machineId: 'm-1', build: '100' };
      await insertSeedRecords(db.pool, [{ ...heartbeat, timestampClient: at(0, 60) }]);
      await db.pool.query('SELECT fold_record_rollup_deltas($1, true)', [ADVISORY_LOCKS.rollupFold]);
      const rollups = async () => {
        const rows = await Promise.all(
          ['record_machine_rollups', 'record_machine_build_rollups', 'record_machine_classification_rollups', 'record_machine_system_rollups', 'record_machine_prefix_rollups'].map(
            async (table) => (await db.pool.query<{ row: string }>(`SELECT concat_ws(' ', '${table}', machine_id, last_seen - ${day * 86_400}) AS row FROM ${table} ORDER BY 1`)).rows,
          ),
        );
        return rows.flat().map((r) => r.row);
      };
      const before = await rollups();
      assert.deepEqual((await migrate(db.pool))[0], '0064_hot_machine_rollups');
      assert.deepEqual(await rollups(), before);
      const seenDays = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM record_machine_prefix_rollups WHERE seen_day = $1', [day]);
      assert.equal(Number(seenDays.rows[0]?.n), 2);

      // Seen again later that day: every machine rollup row is updated in place (HOT),
      // counted by this transaction's own statistics.
      const client = await db.pool.connect();
      try {
        await insertSeedRecords(db.pool, [{ ...heartbeat, timestampClient: at(0, 3_600) }]);
        await client.query('BEGIN');
        await client.query('SELECT fold_record_rollup_deltas($1, true)', [ADVISORY_LOCKS.rollupFold]);
        const stats = await client.query<{ relname: string; upd: string; hot: string }>(
          "SELECT relname, n_tup_upd AS upd, n_tup_hot_upd AS hot FROM pg_stat_xact_user_tables WHERE relname LIKE 'record\\_machine%rollups' ORDER BY 1",
        );
        await client.query('COMMIT');
        assert.equal(stats.rows.length, 5);
        for (const row of stats.rows) assert.ok(Number(row.upd) > 0 && row.hot === row.upd, `${row.relname}: ${row.hot} of ${row.upd} updates HOT`);
      } finally {
        client.release();
      }
      // The next day moves the row to the next seen_day.
      await insertSeedRecords(db.pool, [{ ...heartbeat, timestampClient: at(1, 60) }]);
      await db.pool.query('SELECT fold_record_rollup_deltas($1, true)', [ADVISORY_LOCKS.rollupFold]);
      const moved = await db.pool.query<{ seen_day: string; last_seen: string }>('SELECT seen_day, last_seen FROM record_machine_build_rollups');
      assert.deepEqual(moved.rows.map((r) => [Number(r.seen_day), Number(r.last_seen)]), [[day + 1, at(1, 60)]]);
    });

    test('0065 takes the fold advisory lock of the application', () => {
      const migration = listMigrations().find((m) => m.version === 65);
      assert.ok(migration?.sql.includes(`pg_advisory_xact_lock(${ADVISORY_LOCKS.rollupFold})`));
    });

    test('0063 takes the fold advisory lock of the application', () => {
      const migration = listMigrations().find((m) => m.version === 63);
      assert.ok(migration?.sql.includes(`pg_advisory_xact_lock(${ADVISORY_LOCKS.rollupFold})`));
    });

    test('0062 takes the fold advisory lock of the application', () => {
      const migration = listMigrations().find((m) => m.version === 62);
      assert.ok(migration?.sql.includes(`pg_advisory_xact_lock(${ADVISORY_LOCKS.rollupFold})`));
    });

    test('creates daily record partitions around today', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
      const parts = await db.pool.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE tablename LIKE 'records_p%'");
      assert.ok(parts.rows.some((r) => r.name === `records_p${today}`));
      assert.equal((await db.pool.query<{ n: number }>('SELECT ensure_record_partitions(current_date, 2) AS n')).rows[0]?.n, 0);
    });

    test('indexes every column the reference filters and sorts on', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const result = await db.pool.query<{ def: string }>("SELECT indexdef AS def FROM pg_indexes WHERE tablename = 'records'");
      const defs = result.rows.map((r) => r.def).join('\n');
      for (const column of ['classification', 'build', 'machine_id', 'received_at', 'timestamp_client', 'severity', 'system_name']) {
        assert.match(defs, new RegExp(`\\(${column}[,)]`), `no index on ${column}`);
      }
    });
  });
}

/** A test database with the migrations up to `version` applied and recorded, as an older release left it. */
async function databaseMigratedTo(target: DatabaseTarget, version: number) {
  const db = await createTestDatabase(target, { migrate: false });
  try {
    await db.pool.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    for (const m of listMigrations().filter((m) => m.version <= version)) {
      await db.pool.query(m.sql);
      await db.pool.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
  } catch (err) {
    await db.drop();
    throw err;
  }
  return db;
}
