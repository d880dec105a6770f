import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { insertAgedRecords, listRecordIds } from '../helpers/aged-records.ts';
import { runCli } from '../helpers/cli.ts';
import { createTestDatabase, databaseTargets } from '../helpers/database.ts';

const RULES = JSON.stringify([
  { field: 'severity', value: 1, days: 1 },
  { field: 'classification', value: 'test/keep/*', days: 0 },
]);

for (const target of databaseTargets()) {
  describe(`telemetrics purge (${target.name})`, () => {
    test('prints per rule what --dry-run would delete, then deletes exactly that', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const now = new Date();
      const ids = await insertAgedRecords(db.pool, now, [
        { ageDays: 2, severity: 1 },
        { ageDays: 6, severity: 2 },
        { ageDays: 6, severity: 2, classification: 'test/keep/one' },
        { ageDays: 40, severity: 3 },
        { ageDays: 0.5, severity: 1 },
      ]);
      const env = { DATABASE_URL: db.url, TELEMETRICS_RETENTION_RULES: RULES, TELEMETRICS_RETENTION_MAX_DAYS: '5' };

      const dry = await runCli(['purge', '--dry-run'], env);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /^dry run: nothing deleted; purge at /);
      assert.match(dry.stdout, /^ {2}whole days older than 5 days: would delete 1 records; partitions records_p\d{8}/m);
      assert.match(dry.stdout, /^ {2}severity 1 after 1 day: would delete 1 records$/m);
      assert.match(dry.stdout, /^ {2}unfiltered after 5 days: would delete 1 records$/m);
      assert.match(dry.stdout, /^total: would delete 3 records/m);
      assert.equal((await listRecordIds(db.pool)).length, 5);

      const real = await runCli(['purge'], env);
      assert.equal(real.code, 0, real.stderr);
      assert.match(real.stdout, /^ {2}severity 1 after 1 day: deleted 1 records \(\+ 0 crash analyses, 0 fingerprints\)$/m);
      assert.match(real.stdout, /^total: deleted 3 records/m);
      assert.deepEqual(await listRecordIds(db.pool), [ids[2], ids[4]]);
    });

    test('exits 2 naming the key when the retention rules are not valid', async () => {
      const result = await runCli(['purge'], { TELEMETRICS_RETENTION_RULES: '[{"field":"build","value":"1","days":1}]' });
      assert.equal(result.code, 2);
      assert.match(result.stderr, /retention\.rules \(TELEMETRICS_RETENTION_RULES\): rule 1: field must be one of severity, classification, machine_id/);
    });
  });
}
