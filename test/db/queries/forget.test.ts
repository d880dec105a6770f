import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { forgetMachine } from '../../../src/db/queries/forget.ts';
import { insertQuarantinedRecord } from '../../../src/db/queries/quarantined-records.ts';
import { insertAgedRecords, listRecordIds } from '../../helpers/aged-records.ts';
import { createTestDatabase, databaseTargets } from '../../helpers/database.ts';

const MACHINE = '0123456789abcdef0123456789abcdef';

for (const target of databaseTargets()) {
  describe(`forgetMachine (${target.name})`, () => {
    test('deletes every record of the machine, of any age, with its derived rows and nothing else', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const now = new Date();
      const ids = await insertAgedRecords(db.pool, now, [
        { ageDays: 0, machineId: MACHINE },
        { ageDays: 0, machineId: 'other' },
        { ageDays: 3, machineId: MACHINE },
        { ageDays: 20, machineId: MACHINE },
        { ageDays: 20, machineId: `${MACHINE}x` },
        { ageDays: 0.1, machineId: MACHINE },
      ]);
      await db.pool.query('INSERT INTO crash_analysis (record_id, received_at, classification, build, machine_id, system_name, severity, external, timestamp_client) SELECT id, received_at, classification, build, machine_id, system_name, severity, external, timestamp_client FROM records');
      await db.pool.query('INSERT INTO record_fingerprints (fingerprint, record_id, received_at) SELECT sha256(id::text::bytea), id, received_at FROM records');
      const quarantined = (machineHeader: string, body: string) =>
        insertQuarantinedRecord(db.pool, { code: 'INGEST_FIELD_INVALID', message: 'x', path: '/v2/collector', remoteAddr: null, headers: { 'machine-id': machineHeader }, body: Buffer.from(body) });
      await quarantined(MACHINE, 'payload');
      await quarantined('other', `{"machine_id": "${MACHINE}"}`);
      await quarantined('other', 'payload');

      const result = await forgetMachine(db.pool, MACHINE, { batchSize: 2 });
      assert.deepEqual(result, { records: 4, crashAnalyses: 4, fingerprints: 4, quarantinedRequests: 2 });
      assert.deepEqual(await listRecordIds(db.pool), [ids[1], ids[4]]);
      const left = await db.pool.query<{ analyses: number; prints: number; quarantined: number }>(
        `SELECT (SELECT count(*) FROM crash_analysis)::int AS analyses, (SELECT count(*) FROM record_fingerprints)::int AS prints,
           (SELECT count(*) FROM quarantined_records)::int AS quarantined`,
      );
      assert.deepEqual(left.rows[0], { analyses: 2, prints: 2, quarantined: 1 });
      assert.deepEqual(await forgetMachine(db.pool, MACHINE), { records: 0, crashAnalyses: 0, fingerprints: 0, quarantinedRequests: 0 });
    });
  });
}
