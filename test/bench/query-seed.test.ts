import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bulkSeedQueryRecords, QUERY_SEED_CLASSES, seedQueryRecords } from '../../bench/query-seed.ts';
import { createTestDatabase, databaseTargets } from '../helpers/database.ts';

const [target] = databaseTargets();

describe('query benchmark seeding', () => {
  test('seeds the asked number of records over weeks, with the classes, kept in the rollups', async (t) => {
    if (!target) return;
    const db = await createTestDatabase(target);
    t.after(() => db.drop());
    const now = new Date();
    await seedQueryRecords(db.pool, { records: 1500, now, chunk: 1000 });
    await bulkSeedQueryRecords(db.pool, { records: 1500, now, chunk: 1000 });
    const result = await db.pool.query<{ n: number; classes: number; oldest: Date; newest: Date; crash_payloads: number; rollup: number; machines: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT classification)::int AS classes, min(received_at) AS oldest, max(received_at) AS newest,
         count(*) FILTER (WHERE classification = 'org.clearlinux/crash/clr' AND payload LIKE '%Backtrace (TID %')::int AS crash_payloads,
         (SELECT sum(count) FROM record_rollups_hourly)::int AS rollup, (SELECT sum(count) FROM record_machine_rollups)::int AS machines
       FROM records`,
    );
    const row = result.rows[0];
    assert.ok(row);
    assert.equal(row.n, 3000);
    assert.equal(row.rollup, 3000);
    assert.equal(row.machines, 3000);
    assert.ok(row.classes >= QUERY_SEED_CLASSES.length - 4, `${row.classes} classes`);
    assert.ok(row.crash_payloads > 0);
    assert.ok(now.getTime() - row.oldest.getTime() > 30 * 86_400_000);
    assert.ok(row.newest.getTime() <= now.getTime());
    const indexes = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'records'`);
    assert.ok((indexes.rows[0]?.n ?? 0) >= 2, 'the bulk seed rebuilds the indexes it dropped');
  });
});
