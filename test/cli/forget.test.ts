import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { insertAgedRecords, listRecordIds } from '../helpers/aged-records.ts';
import { runCli } from '../helpers/cli.ts';
import { createTestDatabase, databaseTargets } from '../helpers/database.ts';

for (const target of databaseTargets()) {
  describe(`telemetrics forget (${target.name})`, () => {
    test('deletes the records of one machine id and prints the counts', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const ids = await insertAgedRecords(db.pool, new Date(), [{ ageDays: 0, machineId: 'gone' }, { ageDays: 0, machineId: 'stays' }, { ageDays: 9, machineId: 'gone' }]);
      const result = await runCli(['forget', '--machine-id', 'gone'], { DATABASE_URL: db.url });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, 'machine gone: deleted 2 records, 0 crash analyses, 0 fingerprints, 0 quarantined requests\n');
      assert.deepEqual(await listRecordIds(db.pool), [ids[1]]);
    });

    test('requires --machine-id', async () => {
      const result = await runCli(['forget']);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /--machine-id/);
    });
  });
}
