// The MCE report reads mce_reports (migration 0032), kept by triggers on records: it must
// give exactly the answers of the scan of records (forced by an always-true payload
// regex), and hold exactly the org.clearlinux/mce/% records after every kind of change.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Pool } from '../../../src/db/pool.ts';
import { forgetMachine } from '../../../src/db/queries/forget.ts';
import { countMceReports, listTopMceMachines } from '../../../src/db/queries/mce.ts';
import type { RecordFilter } from '../../../src/db/queries/record-filter.ts';
import { deleteRecordBatch, detachRecordPartition, dropRecordPartition } from '../../../src/db/queries/retention.ts';
import { MCE_CLASSIFICATIONS } from '../../../src/api/routes/reports.ts';
import { insertSeedRecords, type SeedRecord } from '../../api/seed-records.ts';
import { partitionNameOf } from '../../helpers/aged-records.ts';
import { createTestDatabase, databaseTargets, type TestDatabase } from '../../helpers/database.ts';

const DAY = 86_400_000;
const CLASSES = [...MCE_CLASSIFICATIONS, 'org.clearlinux/mce/thermal', 'org.clearlinux/crash/clr', 'org.clearlinux/hello/world'];

function seedRows(now: number): Partial<SeedRecord>[] {
  const rows: Partial<SeedRecord>[] = [];
  for (let i = 0; i < 300; i++) {
    const at = now - (i % 60) * DAY - (i % 5) * 3_600_000;
    const status = ['0xbe00000000800400', '0x9c20004000010090', 'cc000000000a0151'][i % 3];
    rows.push({
      receivedAt: new Date(at),
      timestampClient: Math.floor(at / 1000) - (i % 9) * 86_400,
      machineId: `m-${i % 13}`,
      build: String(31000 + (i % 6) * 10),
      systemName: i % 4 === 0 ? 'debian' : 'clear-linux-os',
      severity: 1 + (i % 4),
      external: i % 3 === 0,
      classification: CLASSES[i % CLASSES.length] as string,
      payload: i % 11 === 0 ? 'no status here\n' : `CPU ${i % 4} BANK 5\nSTATUS ${status} MCGSTATUS 5\nMCGCAP 1c09\n`,
    });
  }
  return rows;
}

const FILTERS: Array<[string, RecordFilter]> = [
  ['no filter', {}],
  ['client time since', { createdFrom: BigInt(Math.floor(Date.now() / 1000) - 30 * 86_400) }],
  ['build and machine', { build: '31010', machineId: 'm-2' }],
  ['system, source, severity', { systemName: { kind: 'exact', value: 'clear-linux-os' }, external: true, severityMin: 2 }],
  ['received within', { receivedWithinSeconds: 20 * 86_400 }],
  ['one class', { classification: { kind: 'exact', value: 'org.clearlinux/mce/SRAO' } }],
];

async function assertSameAnswers(db: Pool): Promise<void> {
  let counted = 0;
  for (const [name, filter] of FILTERS) {
    const slow = { ...filter, payloadRegex: '' };
    const counts = await countMceReports(db, filter, MCE_CLASSIFICATIONS);
    counted += counts.byClassification.length;
    assert.deepEqual(counts, await countMceReports(db, slow, MCE_CLASSIFICATIONS), `counts, ${name}`);
    for (const limit of [1, 5, 100]) {
      assert.deepEqual(await listTopMceMachines(db, filter, MCE_CLASSIFICATIONS, limit), await listTopMceMachines(db, slow, MCE_CLASSIFICATIONS, limit), `machines, ${name}`);
    }
  }
  assert.ok(counted > 0, 'the comparisons count something');
  // The table holds exactly the mce records, with their columns and status.
  const diff = await db.query<{ n: number }>(
    `WITH expected AS (
       SELECT id, received_at, classification, build, machine_id, system_name, severity, external, timestamp_client,
         substring(payload FROM 'STATUS.*([A-Fa-f0-9]{8}) MCGSTATUS') AS status
       FROM records WHERE classification LIKE 'org.clearlinux/mce/%'
     ), actual AS (
       SELECT record_id, received_at, classification, build, machine_id, system_name, severity, external, timestamp_client, status FROM mce_reports
     )
     SELECT ((SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM actual) x)
           + (SELECT count(*) FROM (SELECT * FROM actual EXCEPT ALL SELECT * FROM expected) y))::int AS n`,
  );
  assert.equal(diff.rows[0]?.n, 0);
}

for (const target of databaseTargets()) {
  describe(`mce_reports (${target.name})`, () => {
    let db: TestDatabase;
    const now = Date.now();
    before(async () => {
      db = await createTestDatabase(target);
      await insertSeedRecords(db.pool, seedRows(now));
    });
    after(() => db?.drop());

    test('answers exactly as the scan of records, for every copied-column filter', async () => {
      const reports = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM mce_reports');
      assert.ok((reports.rows[0]?.n ?? 0) > 0);
      await assertSameAnswers(db.pool);
    });

    test('gives the week of extreme and year-boundary client times as the scan does, and none outside 4714 BC..9999', async () => {
      const times = [-210_866_803_201, -210_866_803_200, -86_401, -1, 0, 1_704_067_199, 1_704_067_200, 1_735_603_200, 253_402_300_799, 253_402_300_800, 9_007_199_254_740_991];
      const ids = await insertSeedRecords(db.pool, times.map((timestampClient, i) => ({
        receivedAt: new Date(now - i * 1000),
        timestampClient,
        machineId: 'm-edge',
        classification: MCE_CLASSIFICATIONS[i % MCE_CLASSIFICATIONS.length] as string,
        payload: 'STATUS 0xbe00000000800400 MCGSTATUS 5\n',
      })));
      const weeks = await db.pool.query<{ timestamp_client: string; week: number | null }>(
        'SELECT timestamp_client::text AS timestamp_client, week FROM mce_reports WHERE record_id = ANY($1::bigint[]) ORDER BY mce_reports.timestamp_client',
        [ids],
      );
      assert.deepEqual(weeks.rows.map((r) => r.timestamp_client), times.map(String));
      assert.deepEqual(weeks.rows.map((r) => r.week === null), times.map((t) => t < -210_866_803_200 || t > 253_402_300_799));
      // 1970-01-01 was a Thursday: week 0; 2023-12-31 23:59:59 a Sunday: week 53; 2024-01-01 week 0.
      assert.deepEqual(weeks.rows.filter((r) => ['0', '1704067199', '1704067200'].includes(r.timestamp_client)).map((r) => r.week), [0, 53, 0]);
      await assertSameAnswers(db.pool);
    });

    test('stays exact after forget, batch deletes, an update, partition drops and a truncate', async () => {
      const pool = db.pool;
      await forgetMachine(pool, 'm-3');
      await deleteRecordBatch(pool, { from: new Date(now - 30 * DAY), to: new Date(now - 20 * DAY), filter: {}, afterId: '0', limit: 1000 });
      await pool.query(`UPDATE records SET classification = 'org.clearlinux/mce/UCNA', build = '40000' WHERE machine_id = 'm-5' AND classification LIKE 'org.clearlinux/hello/%'`);
      await pool.query(`UPDATE records SET classification = 'org.clearlinux/hello/world' WHERE machine_id = 'm-6' AND classification = 'org.clearlinux/mce/SRAR'`);
      await dropRecordPartition(pool, partitionNameOf(new Date(now - 59 * DAY)), 10_000);
      const detached = partitionNameOf(new Date(now - 58 * DAY));
      await detachRecordPartition(pool, detached, 'concurrently');
      await dropRecordPartition(pool, detached, 10_000);
      await assertSameAnswers(pool);
      await pool.query('TRUNCATE records');
      const left = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM mce_reports');
      assert.equal(left.rows[0]?.n, 0);
    });
  });
}
