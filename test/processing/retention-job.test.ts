import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { tryLockRetention, unlockRetention } from '../../src/db/queries/retention-runs.ts';
import { PurgeBusyError, runManualPurge, startRetentionJob, type RetentionSettings, type ScheduledRunOutcome } from '../../src/processing/retention-job.ts';
import { insertAgedRecords, listRecordIds } from '../helpers/aged-records.ts';
import { createTestDatabase, databaseTargets, type TestDatabase } from '../helpers/database.ts';

const silent = pino({ level: 'silent' });
const SETTINGS: RetentionSettings = { enabled: true, maxDays: 35, rules: [{ field: 'classification', value: 'org.clearlinux/hello/world', days: 1 }], time: '04:30' };
/** A fixed local instant: 2030-03-05 at the given local time. */
const at = (day: number, hours: number, minutes: number, ms = 0) => new Date(2030, 2, day, hours, minutes, 0, ms);

async function listRuns(db: TestDatabase) {
  const result = await db.pool.query<{ day: string | null; finished: boolean; error: string | null; records: number | null }>(
    `SELECT to_char(scheduled_day, 'YYYY-MM-DD') AS day, finished_at IS NOT NULL AS finished, error,
       (deleted ->> 'records')::int AS records
     FROM retention_runs ORDER BY id`,
  );
  return result.rows;
}

for (const target of databaseTargets()) {
  describe(`retention job (${target.name})`, () => {
    test('runs the day\'s purge exactly once when two server processes trigger it together', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const now = () => at(5, 4, 30);
      await insertAgedRecords(db.pool, now(), [{ ageDays: 2, classification: 'org.clearlinux/hello/world' }, { ageDays: 40 }, { ageDays: 1.5, classification: 'org.clearlinux/hello/world' }]);
      const jobs = [0, 1].map(() => startRetentionJob({ pool: db.pool, logger: silent, retention: { ...SETTINGS, enabled: false }, now }));
      t.after(() => Promise.all(jobs.map((j) => j.stop())));

      const outcomes = await Promise.all(jobs.map((j) => j.runScheduled()));
      assert.deepEqual(outcomes.map((o) => o.status).sort(), ['done', 'skipped']);
      const done = outcomes.find((o) => o.status === 'done');
      assert.equal(done?.status === 'done' && done.report.records, 3);
      assert.deepEqual(await listRuns(db), [{ day: '2030-03-05', finished: true, error: null, records: 3 }]);

      // later the same day: still skipped; the next day runs again
      assert.equal((await jobs[0]?.runScheduled())?.status, 'skipped');
      const nextDay = startRetentionJob({ pool: db.pool, logger: silent, retention: { ...SETTINGS, enabled: false }, now: () => at(6, 4, 30) });
      t.after(() => nextDay.stop());
      assert.equal((await nextDay.runScheduled()).status, 'done');
      assert.deepEqual((await listRuns(db)).map((r) => r.day), ['2030-03-05', '2030-03-06']);
    });

    test('fires at the configured local time, records a failure, and keeps the schedule for the next day', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      let clock = at(5, 4, 29, 59_999);
      await insertAgedRecords(db.pool, clock, [{ ageDays: 0.5 }]); // a live day for the broken rule to run on
      let ran: (o: ScheduledRunOutcome) => void = () => {};
      const outcome = new Promise<ScheduledRunOutcome>((resolve) => (ran = resolve));
      // a severity beyond smallint makes the purge's SQL fail
      const broken: RetentionSettings = { ...SETTINGS, rules: [{ field: 'severity', value: '99999', days: 1 }] };
      const job = startRetentionJob({ pool: db.pool, logger: silent, retention: broken, now: () => clock, onRun: (o) => ran(o) });
      t.after(() => job.stop());
      assert.deepEqual(job.nextRun(), at(5, 4, 30));
      clock = at(5, 4, 30);
      const result = await outcome;
      assert.equal(result.status, 'failed');
      assert.match(result.status === 'failed' ? result.error : '', /smallint/);
      assert.deepEqual(job.nextRun(), at(6, 4, 30));
      const runs = await listRuns(db);
      assert.equal(runs.length, 1);
      assert.equal(runs[0]?.day, '2030-03-05');
      assert.match(runs[0]?.error ?? '', /smallint/);

      const fixed = startRetentionJob({ pool: db.pool, logger: silent, retention: { ...SETTINGS, enabled: false }, now: () => at(6, 4, 30) });
      t.after(() => fixed.stop());
      assert.equal((await fixed.runScheduled()).status, 'done');
    });

    test('waits for a manual purge holding the lock, and a manual purge fails fast while one runs', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const job = startRetentionJob({ pool: db.pool, logger: silent, retention: { ...SETTINGS, enabled: false }, now: () => at(5, 4, 30), lockPollMs: 5 });
      t.after(() => job.stop());
      const holder = await db.pool.connect();
      let pending: Promise<ScheduledRunOutcome>;
      try {
        assert.ok(await tryLockRetention(holder));
        await assert.rejects(runManualPurge(db.pool, { retention: SETTINGS, now: new Date(), dryRun: false }), PurgeBusyError);
        pending = job.runScheduled();
        await unlockRetention(holder);
      } finally {
        holder.release(); // before db.drop(): the pool only ends once every client is back
      }
      assert.equal((await pending).status, 'done');
    });

    test('records a manual purge; a dry run is not recorded', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const now = new Date();
      const ids = await insertAgedRecords(db.pool, now, [{ ageDays: 40 }, { ageDays: 1 }]);
      const dry = await runManualPurge(db.pool, { retention: SETTINGS, now, dryRun: true });
      assert.equal(dry.records, 1);
      assert.deepEqual(await listRuns(db), []);
      const real = await runManualPurge(db.pool, { retention: SETTINGS, now, dryRun: false });
      assert.equal(real.records, 1);
      assert.deepEqual(await listRuns(db), [{ day: null, finished: true, error: null, records: 1 }]);
      assert.deepEqual(await listRecordIds(db.pool), [ids[1]]);
    });
  });
}
