// The crash_analysis writes never leave an analysis without its record: the upsert
// skips records deleted since they were read, and the maintenance sweep removes one
// that a delete racing the write still left behind.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { deleteOrphanCrashAnalyses, scanNewCrashRecords, upsertCrashAnalyses, type CrashAnalysisToStore } from '../../../src/db/queries/crash-analysis.ts';
import { startMaintenanceJob } from '../../../src/processing/maintenance-job.ts';
import { insertAgedRecords } from '../../helpers/aged-records.ts';
import { createTestDatabase, databaseTargets } from '../../helpers/database.ts';
import { CLR, KERNEL_WARNING, storeRecords } from '../../processing/crash-records.ts';

function analysisOf(recordId: number, receivedAt: Date): CrashAnalysisToStore {
  return { recordId, receivedAt, guiltyId: null, signature: 'sig', program: '/usr/bin/x', signal: 11 };
}

async function analysedIds(db: { query: (sql: string) => Promise<{ rows: Array<{ id: number }> }> }): Promise<number[]> {
  const { rows } = await db.query('SELECT record_id::float8 AS id FROM crash_analysis ORDER BY record_id');
  return rows.map((r) => r.id);
}

for (const target of databaseTargets()) {
  describe(`crash_analysis upkeep (${target.name})`, () => {
    test('the upsert stores analyses of existing records only, whatever their receive-time precision', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const now = new Date();
      const [kept, deleted, imported] = (await insertAgedRecords(db.pool, now, [{ ageDays: 0 }, { ageDays: 1 }, { ageDays: 2 }])).map(Number) as [number, number, number];
      // An imported record keeps the microseconds of the reference's timestamp.
      await db.pool.query("UPDATE records SET received_at = received_at + interval '123 microseconds' WHERE id = $1", [imported]);
      const times = new Map(
        (await db.pool.query<{ id: number; at: Date }>('SELECT id::float8 AS id, received_at AS at FROM records')).rows.map((r) => [r.id, r.at]),
      );
      await db.pool.query('DELETE FROM records WHERE id = $1', [deleted]);

      const written = await upsertCrashAnalyses(db.pool, [kept, deleted, imported].map((id) => analysisOf(id, times.get(id) as Date)));
      assert.equal(written, 2);
      assert.deepEqual(await analysedIds(db.pool), [kept, imported].sort((a, b) => a - b));
    });

    test('the sweep walks the look-back in batches and finds orphans in every one', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const ids = (await insertAgedRecords(db.pool, new Date(), Array.from({ length: 7 }, () => ({ ageDays: 0 })))).map(Number);
      await db.pool.query('INSERT INTO crash_analysis (record_id, received_at, classification, build, machine_id, system_name, severity, external, timestamp_client) SELECT id, received_at, classification, build, machine_id, system_name, severity, external, timestamp_client FROM records');
      // Orphans in the first, a middle and the last batch of two.
      const orphans = [ids[0], ids[3], ids[6]];
      await db.pool.query('DELETE FROM records WHERE id = ANY($1::bigint[])', [orphans]);
      let statements = 0;
      const counting = { query: ((...args: unknown[]) => (statements++, (db.pool.query as (...a: unknown[]) => unknown)(...args))) as typeof db.pool.query };
      assert.equal(await deleteOrphanCrashAnalyses(counting, 3, 2), 3);
      assert.equal(statements, 4, 'seven analyses in batches of two');
      assert.deepEqual(await analysedIds(db.pool), ids.filter((id) => !orphans.includes(id)).sort((x, y) => x - y));
    });

    test('the maintenance sweep removes recent analyses whose record is gone, and nothing else', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const [a, b, c] = (await insertAgedRecords(db.pool, new Date(), [{ ageDays: 0 }, { ageDays: 0 }, { ageDays: 5 }])).map(Number) as [number, number, number];
      await db.pool.query('INSERT INTO crash_analysis (record_id, received_at, classification, build, machine_id, system_name, severity, external, timestamp_client) SELECT id, received_at, classification, build, machine_id, system_name, severity, external, timestamp_client FROM records');
      // The race's outcome: the record went, its analysis stayed.
      await db.pool.query('DELETE FROM records WHERE id = ANY($1::bigint[])', [[b, c]]);
      // An orphan processed long ago is outside the sweep's look-back (never produced by the race).
      await db.pool.query("UPDATE crash_analysis SET processed_at = now() - interval '2 days' WHERE record_id = $1", [c]);

      assert.equal(await deleteOrphanCrashAnalyses(db.pool, 3), 1);
      assert.deepEqual(await analysedIds(db.pool), [a, c].sort((x, y) => x - y));

      await db.pool.query("UPDATE crash_analysis SET processed_at = now() WHERE record_id = $1", [c]);
      const maintenance = startMaintenanceJob(db.pool, pino({ level: 'silent' }), 48);
      await maintenance.stop(); // waits for its first run
      assert.deepEqual(await analysedIds(db.pool), [a]);
    });

    test('the scan of new records flags the analysed ones, gives payloads of the others, by id above each class cursor', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const ids = await storeRecords(db.pool, [
        { payload: 'a' }, { payload: 'b', classification: KERNEL_WARNING }, { payload: 'c' }, { payload: 'd', classification: 'org.clearlinux/hello/world' },
        { payload: 'e', classification: KERNEL_WARNING }, { payload: 'f' }, { payload: 'g' },
      ]);
      const times = new Map((await db.pool.query<{ id: number; at: Date }>('SELECT id::float8 AS id, received_at AS at FROM records')).rows.map((r) => [r.id, r.at]));
      const [a, b, c, , e, f, g] = ids as [number, number, number, number, number, number, number];
      // c and e were analysed (by another process, as far as this scan knows)
      await upsertCrashAnalyses(db.pool, [c, e].map((id) => analysisOf(id, times.get(id) as Date)));

      const scanned = await scanNewCrashRecords(db.pool, [{ classification: CLR, afterId: a }, { classification: KERNEL_WARNING, afterId: 0 }], 4);
      assert.deepEqual(
        scanned.map((r) => [r.id, r.classification, r.processed, r.payload]),
        [[b, KERNEL_WARNING, false, 'b'], [c, CLR, true, null], [e, KERNEL_WARNING, true, null], [f, CLR, false, 'f']],
      );
      assert.equal(scanned.length, 4, `the limit applies over all classes; ${g} comes next`);
    });
  });
}
