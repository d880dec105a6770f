import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { listMigrations, migrate, pendingMigrations } from '../../src/db/migrate.ts';
import { createPool } from '../../src/db/pool.ts';
import { createTestDatabase, databaseTargets } from '../helpers/database.ts';

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
        ['crash_analysis', 'crash_signatures', 'guilty', 'guilty_blacklisted', 'imported_records', 'quarantined_records', 'record_fingerprints', 'record_host_rollups_daily', 'record_machine_build_rollups', 'record_machine_rollups', 'record_population_build_days', 'record_population_days', 'record_rollup_deltas', 'record_rollups_hourly', 'records', 'reprocess_jobs', 'retention_runs', 'schema_migrations'],
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
