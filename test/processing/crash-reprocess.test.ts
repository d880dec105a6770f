// Reprocess jobs against a real database: a blacklist change or a reset re-evaluates
// every crash record in the background, with progress, one job at a time, resumable.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findReprocessJob, startWaitingReprocessJob, type ReprocessJob } from '../../src/db/queries/reprocess-jobs.ts';
import type { Queryable } from '../../src/db/pool.ts';
import { addBlacklistEntry, removeBlacklistEntry, requestReprocess } from '../../src/processing/guilty-management.ts';
import { createTestDatabase, databaseTargets } from '../helpers/database.ts';
import { buildCrashPayload, readAnalyses, startProcessor, storeRecords, waitFor, waitForAnalysed } from './crash-records.ts';

const TOP = { function: 'top()', module: '/usr/lib64/libapp.so.1' };

async function waitForFinished(db: Queryable, id: number, timeoutMs = 10_000): Promise<ReprocessJob> {
  return waitFor(`reprocess job ${id} to finish`, async () => {
    const job = await findReprocessJob(db, id);
    return job?.finishedAt ? job : undefined;
  }, timeoutMs);
}

for (const target of databaseTargets()) {
  describe(`reprocess jobs (${target.name})`, () => {
    test('re-evaluates every crash record after a blacklist change, guilties and signatures included', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const { processor } = startProcessor(t, db.pool, { batchSize: 50 });
      const ids = await storeRecords(db.pool, Array.from({ length: 300 }, (_, i) => ({ payload: buildCrashPayload('top()', i) })));
      await waitForAnalysed(db.pool, ids);
      const before = await readAnalyses(db.pool, ids);
      assert.ok(before.every((a) => a.function === 'top()'));

      const added = await addBlacklistEntry(db.pool, TOP);
      processor.wake();
      const job = await waitForFinished(db.pool, added.job?.id as number);
      assert.equal(job.total, 300);
      assert.equal(job.done, 300);
      assert.ok(job.startedAt && job.finishedAt && job.startedAt <= job.finishedAt);
      const after = await readAnalyses(db.pool, ids);
      assert.ok(after.every((a) => a.function === 'handle_request()' && a.module === '/usr/bin/app'));
      assert.ok(after.every((a, i) => a.signature !== before[i]?.signature), 'a blacklisted frame leaves the signature');

      const removed = await removeBlacklistEntry(db.pool, added.entry.id);
      processor.wake();
      await waitForFinished(db.pool, removed.job?.id as number);
      assert.deepEqual(await readAnalyses(db.pool, ids), before);
    });

    test('queues a request made while a job runs, and lets further requests join it', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const ids = await storeRecords(db.pool, Array.from({ length: 20 }, (_, i) => ({ payload: buildCrashPayload('top()', i) })));
      const first = await requestReprocess(db.pool, 'reset');
      assert.equal((await requestReprocess(db.pool, '')).id, first.id);
      await startWaitingReprocessJob(db.pool);
      const second = await requestReprocess(db.pool, 'blacklist add a');
      const joined = await requestReprocess(db.pool, 'blacklist add b');
      assert.notEqual(second.id, first.id);
      assert.equal(joined.id, second.id);
      assert.equal(joined.requests, 2);
      assert.equal(joined.reason, 'blacklist add a; blacklist add b');

      startProcessor(t, db.pool);
      await waitForAnalysed(db.pool, ids);
      const done1 = await waitForFinished(db.pool, first.id);
      const done2 = await waitForFinished(db.pool, second.id);
      assert.equal(done1.requests, 2);
      assert.ok((done2.startedAt as Date) >= (done1.finishedAt as Date));
    });

    test('resumes a running job after a restart and re-evaluates each record once', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const ids = await storeRecords(db.pool, Array.from({ length: 1000 }, (_, i) => ({ payload: buildCrashPayload('top()', i) })));
      const initial = startProcessor(t, db.pool, { batchSize: 500 });
      await waitForAnalysed(db.pool, ids);
      await initial.processor.stop();

      const { job } = await addBlacklistEntry(db.pool, TOP);
      const first = startProcessor(t, db.pool, { batchSize: 10 });
      await waitFor('reprocess progress', async () => ((await findReprocessJob(db.pool, job?.id as number))?.done ?? 0) > 0);
      await first.processor.stop();
      const second = startProcessor(t, db.pool, { batchSize: 100 });
      const finished = await waitForFinished(db.pool, job?.id as number);
      assert.equal(finished.done, 1000);
      assert.equal((await first.analysed('reprocess')) + (await second.analysed('reprocess')), 1000);
      assert.ok((await readAnalyses(db.pool, ids)).every((a) => a.function === 'handle_request()'));
    });
  });
}
