// The crash lists read crash_analysis alone when the filter names only the columns it
// copies from records (migration 0031): they must give exactly the answers of the join
// to records, which an always-true payload regex forces, also after deletes and reprocess.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { Blacklist } from '../../../src/crash/blacklist.ts';
import type { Pool } from '../../../src/db/pool.ts';
import { findCrashRecords, type CrashRecordRow } from '../../../src/db/queries/crash-analysis.ts';
import { listGuiltyMachines, listTopCrashBuilds, listTopGuilties, listTopSignatures, type TopCrashesQuery } from '../../../src/db/queries/crash-stats.ts';
import { forgetMachine } from '../../../src/db/queries/forget.ts';
import { isCopiedColumnFilter, type RecordFilter } from '../../../src/db/queries/record-filter.ts';
import { deleteCrashAnalysesBetween, deleteRecordBatch, dropRecordPartition } from '../../../src/db/queries/retention.ts';
import { analyseAndStoreCrashRecords } from '../../../src/processing/crash-batch.ts';
import { DEFAULT_CRASH_CLASSES } from '../../../src/config/schema.ts';
import { insertSeedRecords, type SeedRecord } from '../../api/seed-records.ts';
import { partitionNameOf } from '../../helpers/aged-records.ts';
import { createTestDatabase, databaseTargets, type TestDatabase } from '../../helpers/database.ts';
import { buildCrashPayload } from '../../processing/crash-records.ts';

const DAY = 86_400_000;
const SILENT = pino({ level: 'silent' });
const OPTIONS = { classes: DEFAULT_CRASH_CLASSES, signatureFrames: 5 };
const CLR = 'org.clearlinux/crash/clr';
const FUNCTIONS = ['parse_item()', 'read_config()', 'render()', 'open_socket()', 'alloc_buffer()', 'main()'];

// Crash records over 60 days of receive time and client time, several builds (one not
// numeric), machines, systems, severities and sources; a few non-crash records.
function seedRows(now: number): Partial<SeedRecord>[] {
  const rows: Partial<SeedRecord>[] = [];
  for (let i = 0; i < 240; i++) {
    const at = now - (i % 60) * DAY - (i % 7) * 3_600_000;
    rows.push({
      receivedAt: new Date(at),
      timestampClient: Math.floor(at / 1000) - (i % 5) * 86_400,
      machineId: `m-${i % 9}`,
      build: i % 37 === 0 ? 'beta-1' : String(31000 + (i % 11) * 10 + Math.floor(i / 60)),
      systemName: i % 4 === 0 ? 'debian' : 'clear-linux-os',
      severity: 1 + (i % 4),
      external: i % 3 === 0,
      classification: i % 10 === 9 ? 'org.clearlinux/hello/world' : CLR,
      payload: buildCrashPayload(FUNCTIONS[(i * 7) % FUNCTIONS.length] as string, i),
    });
  }
  return rows;
}

async function analyseAll(db: Pool, blacklist = new Blacklist([])): Promise<void> {
  const keys = await db.query<{ recordId: number; receivedAt: Date }>(
    `SELECT id::float8 AS "recordId", received_at AS "receivedAt" FROM records WHERE classification = $1 ORDER BY id`,
    [CLR],
  );
  const records: CrashRecordRow[] = await findCrashRecords(db, keys.rows);
  await analyseAndStoreCrashRecords(db, records, blacklist, OPTIONS, SILENT);
}

const FILTERS: Array<[string, RecordFilter]> = [
  ['no filter', {}],
  ['build', { build: '31020' }],
  ['machine', { machineId: 'm-4' }],
  ['system and source', { systemName: { kind: 'exact', value: 'clear-linux-os' }, external: false }],
  ['severity range', { severityMin: 2, severityMax: 3 }],
  ['classification prefix', { classification: { kind: 'prefix', value: 'org.clearlinux/crash/' } }],
  ['received range', { receivedWithinSeconds: 20 * 86_400 }],
  ['created range', { createdFrom: BigInt(Math.floor(Date.now() / 1000) - 30 * 86_400) }],
];

function topQueries(filter: RecordFilter): TopCrashesQuery[] {
  const weekAgo = BigInt(Math.floor(Date.now() / 1000) - 7 * 86_400);
  return [
    { filter, buildCount: 8, windowFrom: weekAgo, offset: 0, limit: 10 },
    { filter, buildCount: 3, offset: 1, limit: 3 },
    { filter, buildCount: 20, buildPattern: '^[0-9]+$', windowFrom: weekAgo - 20n * 86_400n, windowTo: weekAgo, offset: 0, limit: 100 },
  ];
}

// Forces the join to records without changing which records match.
function viaRecords(filter: RecordFilter): RecordFilter {
  return { ...filter, payloadRegex: '' };
}

async function assertSameAnswers(db: Pool): Promise<void> {
  let listed = 0;
  for (const [name, filter] of FILTERS) {
    assert.equal(isCopiedColumnFilter(filter), true, name);
    assert.equal(isCopiedColumnFilter(viaRecords(filter)), false, name);
    for (const query of topQueries(filter)) {
      const slow = { ...query, filter: viaRecords(filter) };
      const label = `${name} ${JSON.stringify({ ...query, filter: undefined, windowFrom: String(query.windowFrom), windowTo: String(query.windowTo) })}`;
      assert.deepEqual(await listTopCrashBuilds(db, query, 'guilty'), await listTopCrashBuilds(db, slow, 'guilty'), `guilty builds, ${label}`);
      assert.deepEqual(await listTopCrashBuilds(db, query, 'signature'), await listTopCrashBuilds(db, slow, 'signature'), `signature builds, ${label}`);
      const guilties = await listTopGuilties(db, query);
      listed += guilties.length;
      assert.deepEqual(guilties, await listTopGuilties(db, slow), `guilties, ${label}`);
      assert.deepEqual(await listTopSignatures(db, query), await listTopSignatures(db, slow), `signatures, ${label}`);
    }
    const guilties = await db.query<{ id: number }>('SELECT id FROM guilty ORDER BY id');
    for (const { id } of guilties.rows) {
      for (const pattern of [undefined, '^310']) {
        assert.deepEqual(await listGuiltyMachines(db, id, filter, pattern), await listGuiltyMachines(db, id, viaRecords(filter), pattern), `machines of ${id}, ${name}`);
      }
    }
  }
  assert.ok(listed > FILTERS.length, 'the comparisons list something');
  // Every copy still equals its record.
  const differing = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM crash_analysis a LEFT JOIN records r ON r.id = a.record_id AND r.received_at = a.received_at
     WHERE (a.classification, a.build, a.machine_id, a.system_name, a.severity, a.external, a.timestamp_client)
       IS DISTINCT FROM (r.classification, r.build, r.machine_id, r.system_name, r.severity, r.external, r.timestamp_client)`,
  );
  assert.equal(differing.rows[0]?.n, 0);
}

for (const target of databaseTargets()) {
  describe(`crash lists from crash_analysis (${target.name})`, () => {
    let db: TestDatabase;
    const now = Date.now();
    before(async () => {
      db = await createTestDatabase(target);
      await insertSeedRecords(db.pool, seedRows(now));
      await analyseAll(db.pool);
      await db.pool.query("UPDATE guilty SET hide = true WHERE function = 'render()'");
    });
    after(() => db?.drop());

    test('answers exactly as the join to records, for every copied-column filter', async () => {
      const top = await listTopGuilties(db.pool, topQueries({})[1] as TopCrashesQuery);
      assert.ok(top.length > 0 && top.every((g) => g.function !== 'render()'));
      await assertSameAnswers(db.pool);
    });

    test('answers exactly as the join after reprocess, forget and retention deletes', async () => {
      const blamed = await db.pool.query<{ function: string; module: string }>("SELECT function, module FROM guilty WHERE function = 'parse_item()'");
      assert.equal(blamed.rows.length, 1);
      await analyseAll(db.pool, new Blacklist(blamed.rows));
      const after = await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM crash_analysis a JOIN guilty g ON g.id = a.guilty_id WHERE g.function = 'parse_item()'");
      assert.equal(after.rows[0]?.n, 0);
      await assertSameAnswers(db.pool);
      await forgetMachine(db.pool, 'm-4');
      await deleteRecordBatch(db.pool, { from: new Date(now - 40 * DAY), to: new Date(now - 30 * DAY), filter: {}, afterId: '0', limit: 1000 });
      const oldest = new Date(now - 59 * DAY);
      const day = new Date(Math.floor(oldest.getTime() / DAY) * DAY);
      await deleteCrashAnalysesBetween(db.pool, day, new Date(day.getTime() + DAY), 1000);
      await dropRecordPartition(db.pool, partitionNameOf(oldest), 10_000);
      await assertSameAnswers(db.pool);
    });
  });
}
