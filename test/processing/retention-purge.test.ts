import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { pino } from 'pino';
import type { RetentionRule } from '../../src/config/schema.ts';
import type { Queryable } from '../../src/db/pool.ts';
import { startMaintenanceJob } from '../../src/processing/maintenance-job.ts';
import { runPurge } from '../../src/processing/retention-purge.ts';
import { isRecordExpired } from '../../src/processing/retention-rules.ts';
import { DAY_MS, insertAgedRecords, listPartitionNames, listRecordIds, partitionNameOf, type AgedRecord } from '../helpers/aged-records.ts';
import { createTestDatabase, databaseTargets } from '../helpers/database.ts';

// reference-backend §11.4: MAX_DAYS_KEEP_UNFILTERED_RECORDS = 5, PURGE_FILTERED_RECORDS =
// {severity: {1: 1, 4: 0}, classification: {"test/keep/one": 0, "test/discard/*": 1}}
const ACCEPTANCE_RULES: RetentionRule[] = [
  { field: 'severity', value: '1', days: 1 },
  { field: 'severity', value: '4', days: 0 },
  { field: 'classification', value: 'test/keep/one', days: 0 },
  { field: 'classification', value: 'test/discard/*', days: 1 },
];
const ACCEPTANCE_MAX_DAYS = 5;

const row = (ageDays: number, severity: number, classification: string): AgedRecord => ({ ageDays, severity, classification });

for (const target of databaseTargets()) {
  describe(`runPurge (${target.name})`, () => {
    test('deletes all 7 records of the reference "purge delete" table', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const now = new Date();
      await insertAgedRecords(db.pool, now, [
        row(2, 1, 'test/discard/one'),
        row(2, 2, 'test/discard/two'),
        row(2, 2, 'test/discard/three'),
        row(2, 4, 'test/discard/two'),
        row(2, 4, 'test/discard/three'),
        row(6, 2, 'test/test/one'),
        row(2, 1, 'test/keep/one'),
      ]);
      const report = await runPurge(db.pool, { rules: ACCEPTANCE_RULES, maxDays: ACCEPTANCE_MAX_DAYS, now });
      assert.deepEqual(await listRecordIds(db.pool), []);
      assert.equal(report.records, 7);
    });

    test('keeps exactly 3 of the 6 records of the reference "purge keep" table', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const now = new Date();
      const ids = await insertAgedRecords(db.pool, now, [
        row(6, 2, 'test/keep/one'), // kept
        row(3, 2, 'test/test/one'), // kept
        row(6, 4, 'test/test/one'), // kept
        row(2, 4, 'test/discard/three'), // deleted
        row(6, 2, 'test/test/one'), // deleted
        row(2, 1, 'test/keep/one'), // deleted
      ]);
      await runPurge(db.pool, { rules: ACCEPTANCE_RULES, maxDays: ACCEPTANCE_MAX_DAYS, now });
      assert.deepEqual(await listRecordIds(db.pool), ids.slice(0, 3));
    });

    test('matches `*` anywhere in a classification and nothing else as a wildcard', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const now = new Date();
      const rules: RetentionRule[] = [
        { field: 'classification', value: 'org.x/*/crash', days: 1 },
        { field: 'classification', value: '*/ping', days: 1 },
        { field: 'classification', value: 'a_b/100%/*', days: 1 },
        { field: 'classification', value: 'back\\slash/*', days: 1 },
      ];
      const ids = await insertAgedRecords(db.pool, now, [
        row(2, 2, 'org.x/kernel/crash'), // deleted
        row(2, 2, 'org.x/a/b/crash'), // deleted: * spans slashes like LIKE's %
        row(2, 2, 'org.y/kernel/crash'), // kept
        row(2, 2, 'org.x/kernel/crash2'), // kept
        row(2, 2, 'any/thing/ping'), // deleted
        row(2, 2, 'a_b/100%/x'), // deleted
        row(2, 2, 'aXb/100%/x'), // kept: _ is not a wildcard
        row(2, 2, 'a_b/1000/x'), // kept: % is not a wildcard
        row(2, 2, 'back\\slash/1'), // deleted
        row(0.5, 2, 'org.x/kernel/crash'), // kept: younger than a day
      ]);
      await runPurge(db.pool, { rules, maxDays: 35, now });
      assert.deepEqual(await listRecordIds(db.pool), [ids[2], ids[3], ids[6], ids[7], ids[9]]);
    });

    test('keeps records forever when maxDays is 0 or their only matches are days-0 rules', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const now = new Date();
      const rules: RetentionRule[] = [
        { field: 'machine_id', value: 'vip', days: 0 },
        { field: 'severity', value: '1', days: 3 },
      ];
      const ids = await insertAgedRecords(db.pool, now, [
        { ageDays: 60, machineId: 'vip', severity: 2 }, // kept: forever
        { ageDays: 60, machineId: 'other', severity: 2 }, // kept with maxDays 0, deleted with 30
        { ageDays: 60, machineId: 'vip', severity: 1 }, // deleted: severity 1 expires even for vip
        { ageDays: 2, machineId: 'other', severity: 1 }, // kept: younger than 3 days
      ]);
      await runPurge(db.pool, { rules, maxDays: 0, now });
      assert.deepEqual(await listRecordIds(db.pool), [ids[0], ids[1], ids[3]]);
      await runPurge(db.pool, { rules, maxDays: 30, now });
      assert.deepEqual(await listRecordIds(db.pool), [ids[0], ids[3]]);
      // the 60-day-old day holds a record kept forever: its partition stays
      assert.ok((await listPartitionNames(db.pool)).includes(partitionNameOf(new Date(now.getTime() - 60 * DAY_MS))));
    });

    for (const partitionRemoval of ['detach', 'drop'] as const) {
      test(`drops whole expired days in one step with their derived rows (${partitionRemoval})`, async (t) => {
        const db = await createTestDatabase(target);
        t.after(() => db.drop());
        const now = new Date();
        const oldIds = await insertAgedRecords(db.pool, now, [
          { ageDays: 40 },
          { ageDays: 40, classification: 'org.clearlinux/hello/world' },
          { ageDays: 50 },
        ]);
        const keptIds = await insertAgedRecords(db.pool, now, [{ ageDays: 10 }, { ageDays: 0 }]);
        await addCrashAnalysisAndFingerprint(db.pool, [...oldIds, ...keptIds]);
        const report = await runPurge(db.pool, { rules: [{ field: 'classification', value: 'org.clearlinux/hello/world', days: 1 }], maxDays: 35, now, partitionRemoval });

        const oldDays = [40, 50].map((d) => partitionNameOf(new Date(now.getTime() - d * DAY_MS)));
        const partitions = await listPartitionNames(db.pool);
        for (const name of oldDays) assert.ok(!partitions.includes(name), `${name} is still attached`);
        const tables = await db.pool.query("SELECT relname FROM pg_class WHERE relname = ANY($1::text[])", [oldDays]);
        assert.equal(tables.rowCount, 0, 'the detached tables are dropped too');
        assert.deepEqual(await listRecordIds(db.pool), keptIds);
        const { partitions: dropped = [], ...counts } = report.steps[0] ?? {};
        assert.deepEqual(counts, { label: 'whole days older than 35 days', kind: 'days', records: 3, crashAnalyses: 3, fingerprints: 3 });
        for (const name of oldDays) assert.ok(dropped.includes(name), `${name} not reported`);
        const oldest = partitionNameOf(new Date(now.getTime() - 35 * DAY_MS));
        assert.ok(partitions.every((name) => name >= oldest), `a day older than 35 days is left: ${partitions[0]}`);
        assert.deepEqual(await countDerived(db.pool), { analyses: 2, fingerprints: 2 });

        // upkeep makes partitions from yesterday on: the dropped days do not come back
        const maintenance = startMaintenanceJob(db.pool, pino({ level: 'silent' }), 48);
        await maintenance.runOnce();
        await maintenance.stop();
        for (const name of oldDays) assert.ok(!(await listPartitionNames(db.pool)).includes(name));
      });
    }

    test('drops an expired day left detached by an interrupted purge, counting its records', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const now = new Date();
      await insertAgedRecords(db.pool, now, [{ ageDays: 40 }, { ageDays: 40 }]);
      const name = partitionNameOf(new Date(now.getTime() - 40 * DAY_MS));
      await db.pool.query(`ALTER TABLE records DETACH PARTITION ${name}`);
      const report = await runPurge(db.pool, { rules: [], maxDays: 35, now });
      assert.equal(report.steps[0]?.records, 2);
      assert.ok(report.steps[0]?.partitions?.includes(name));
      assert.equal((await db.pool.query('SELECT to_regclass($1) AS t', [name])).rows[0]?.t, null);
    });

    test('deletes per-rule leftovers in batches with their crash analyses and fingerprints', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const now = new Date();
      const hello = Array.from({ length: 7 }, (_, i) => ({ ageDays: 2 + (i % 3) * 0.3, classification: 'org.clearlinux/hello/world' }));
      const ids = await insertAgedRecords(db.pool, now, [...hello, { ageDays: 2 }, { ageDays: 0.5, classification: 'org.clearlinux/hello/world' }]);
      await addCrashAnalysisAndFingerprint(db.pool, ids);
      const report = await runPurge(db.pool, { rules: [{ field: 'classification', value: 'org.clearlinux/hello/world', days: 1 }], maxDays: 35, now, batchSize: 2 });
      assert.deepEqual(await listRecordIds(db.pool), ids.slice(7));
      assert.deepEqual(report.steps[1], { label: 'classification org.clearlinux/hello/world after 1 day', kind: 'rule', records: 7, crashAnalyses: 7, fingerprints: 7 });
      assert.deepEqual(await countDerived(db.pool), { analyses: 2, fingerprints: 2 });
    });

    test('reports in a dry run the per-step counts a real run deletes, deleting nothing', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const now = new Date();
      const records: AgedRecord[] = [];
      const classes = ['test/discard/one', 'test/keep/one', 'test/test/one', 'org.clearlinux/hello/world'];
      for (let i = 0; i < 120; i++) records.push({ ageDays: (i * 7) % 45 + 0.25, severity: (i % 4) + 1, classification: classes[i % classes.length] });
      await insertAgedRecords(db.pool, now, records);
      const before = await listRecordIds(db.pool);
      const options = { rules: ACCEPTANCE_RULES, maxDays: 30, now };
      const dry = await runPurge(db.pool, { ...options, dryRun: true });
      assert.deepEqual(await listRecordIds(db.pool), before);
      const real = await runPurge(db.pool, { ...options, batchSize: 7 });
      assert.ok(dry.records > 0);
      assert.deepEqual(dry.steps.map((s) => [s.label, s.records, s.partitions]), real.steps.map((s) => [s.label, s.records, s.partitions]));
      assert.equal(before.length - (await listRecordIds(db.pool)).length, real.records);
    });

    test('leaves exactly the records the reference rules keep, for any rules and records', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const now = new Date();
      const ruleArb = fc.oneof(
        fc.record({ field: fc.constant('severity' as const), value: fc.constantFrom('1', '2', '3', '4'), days: fc.integer({ min: 0, max: 12 }) }),
        fc.record({ field: fc.constant('classification' as const), value: fc.constantFrom('a/b/c', 'a/*', '*/c', 'a/b_c', 'a/*/c%'), days: fc.integer({ min: 0, max: 12 }) }),
        fc.record({ field: fc.constant('machine_id' as const), value: fc.constantFrom('m1', 'm2'), days: fc.integer({ min: 0, max: 12 }) }),
      );
      const recordArb = fc.record({
        ageDays: fc.double({ min: 0, max: 15, noNaN: true }),
        severity: fc.integer({ min: 1, max: 4 }),
        classification: fc.constantFrom('a/b/c', 'a/x/c', 'a/bxc', 'a/b_c', 'z/y/c', 'a/q/c%', 'a/q/cc'),
        machineId: fc.constantFrom('m1', 'm2', 'm3'),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(ruleArb, { maxLength: 4 }), fc.integer({ min: 0, max: 12 }), fc.array(recordArb, { minLength: 1, maxLength: 25 }), async (rules, maxDays, records) => {
          await db.pool.query('TRUNCATE records');
          const ids = await insertAgedRecords(db.pool, now, records);
          await runPurge(db.pool, { rules, maxDays, now, batchSize: 3 });
          const expected = ids.filter((_, i) => {
            const r = records[i] as AgedRecord & { severity: number; classification: string; machineId: string };
            return !isRecordExpired({ ...r, receivedAt: new Date(now.getTime() - r.ageDays * DAY_MS) }, rules, maxDays, now);
          });
          assert.deepEqual(await listRecordIds(db.pool), expected);
        }),
        { numRuns: 15 },
      );
    });
  });
}

async function addCrashAnalysisAndFingerprint(db: Queryable, ids: string[]): Promise<void> {
  await db.query(
    'INSERT INTO crash_analysis (record_id, received_at, classification, build, machine_id, system_name, severity, external, timestamp_client) SELECT id, received_at, classification, build, machine_id, system_name, severity, external, timestamp_client FROM records WHERE id = ANY($1::bigint[])',
    [ids],
  );
  await db.query(
    `INSERT INTO record_fingerprints (fingerprint, record_id, received_at)
     SELECT sha256(id::text::bytea), id, received_at FROM records WHERE id = ANY($1::bigint[])`,
    [ids],
  );
}

async function countDerived(db: Queryable): Promise<{ analyses: number; fingerprints: number }> {
  const result = await db.query<{ analyses: number; fingerprints: number }>(
    'SELECT (SELECT count(*) FROM crash_analysis)::int AS analyses, (SELECT count(*) FROM record_fingerprints)::int AS fingerprints',
  );
  return result.rows[0] ?? { analyses: 0, fingerprints: 0 };
}
