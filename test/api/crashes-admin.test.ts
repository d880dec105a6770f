// The blacklist administration routes over crashes analysed by the real processor: a
// record's frames, blacklist add and remove with their reprocess jobs, "Apply", reset.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { databaseTargets } from '../helpers/database.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { buildCrashPayload } from '../processing/crash-records.ts';
import { postRecord } from '../ui/seed-ui-records.ts';
import { injectJson, waitForJob, waitForProcessed } from './crash-seeding.ts';

const LIB = '/usr/lib64/libapp.so.1';

interface Job {
  id: number;
  reason: string;
  requests: number;
  requested_at: string;
  started_at: string | null;
  finished_at: string | null;
  total: number;
  done: number;
}
interface Change {
  entry: { id: number; function: string; module: string };
  changed: boolean;
  job: Job | null;
}

for (const target of databaseTargets()) {
  describe(`crash administration (${target.name})`, () => {
    let server: TestServer;
    let alphaIds: number[];
    let gammaId: number;
    const guiltyOf = async (id: number) => (await injectJson<{ guilty: { function: string } | null }>(server, 'GET', `/api/records/${id}`)).body.guilty?.function;

    before(async () => {
      server = await startTestServer(target);
      const post = (fn: string, i: number) =>
        postRecord(server.baseUrl, { classification: 'org.clearlinux/crash/clr', severity: 4, machineId: `m${i}`, build: '100', payload: buildCrashPayload(fn, i), ageSeconds: 60 });
      alphaIds = [await post('alpha()', 1), await post('alpha()', 2)];
      gammaId = await post('gamma()', 3);
      await waitForProcessed(server, [...alphaIds, gammaId]);
    });
    after(() => server.close());

    test("lists a crash record's frames without __libc_start_main, with its guilty and blacklist flags", async () => {
      const { status, body } = await injectJson<{ record_id: number; guilty: { function: string } | null; frames: unknown[] }>(server, 'GET', `/api/crashes/records/${gammaId}/frames`);
      assert.equal(status, 200);
      assert.equal(body.record_id, gammaId);
      assert.equal(body.guilty?.function, 'gamma()');
      assert.deepEqual(body.frames, [
        { function: 'gamma()', module: LIB, blacklisted: false },
        { function: 'handle_request()', module: '/usr/bin/app', blacklisted: false },
        { function: '???', module: 'libexample.so.2', blacklisted: false },
      ]);
    });

    test('blacklisting a guilty frame reprocesses every crash record, and removing it restores the guilty', async () => {
      const added = await injectJson<Change>(server, 'POST', '/api/crashes/blacklist', { function: 'alpha()', module: LIB });
      assert.equal(added.status, 200);
      assert.equal(added.body.changed, true);
      assert.deepEqual({ ...added.body.entry, id: 0 }, { id: 0, function: 'alpha()', module: LIB });
      assert.ok(added.body.job);
      const done = await waitForJob(server, added.body.job.id);
      assert.equal(done.done, done.total);
      for (const id of alphaIds) assert.equal(await guiltyOf(id), 'handle_request()');
      assert.equal(await guiltyOf(gammaId), 'gamma()');

      const entries = (await injectJson<{ entries: { id: number }[] }>(server, 'GET', '/api/crashes/blacklist')).body.entries;
      assert.deepEqual(entries.map((e) => e.id), [added.body.entry.id]);
      const frames = (await injectJson<{ frames: { function: string; blacklisted: boolean }[] }>(server, 'GET', `/api/crashes/records/${alphaIds[0]}/frames`)).body.frames;
      assert.deepEqual(frames.filter((f) => f.blacklisted).map((f) => f.function), ['alpha()']);

      const again = await injectJson<Change>(server, 'POST', '/api/crashes/blacklist', { function: 'alpha()', module: LIB });
      assert.deepEqual([again.body.changed, again.body.job, again.body.entry.id], [false, null, added.body.entry.id]);

      const removed = await injectJson<Change>(server, 'DELETE', `/api/crashes/blacklist/${added.body.entry.id}`);
      assert.equal(removed.status, 200);
      assert.equal(removed.body.changed, true);
      assert.ok(removed.body.job);
      await waitForJob(server, removed.body.job.id);
      for (const id of alphaIds) assert.equal(await guiltyOf(id), 'alpha()');
      assert.deepEqual((await injectJson<{ entries: unknown[] }>(server, 'GET', '/api/crashes/blacklist')).body.entries, []);
    });

    test('"Apply" recomputes one record now with the current blacklist', async () => {
      const added = await injectJson<Change>(server, 'POST', '/api/crashes/blacklist', { function: 'gamma()', module: LIB });
      const applied = await injectJson<{ record_id: number; guilty: { function: string; hidden: boolean } | null; signature: string | null }>(
        server,
        'POST',
        `/api/crashes/records/${gammaId}/apply`,
        {},
      );
      assert.equal(applied.status, 200);
      assert.equal(applied.body.record_id, gammaId);
      assert.equal(applied.body.guilty?.function, 'handle_request()');
      assert.equal(applied.body.guilty?.hidden, false);
      assert.equal(typeof applied.body.signature, 'string');
      assert.equal(await guiltyOf(gammaId), 'handle_request()');
      const removed = await injectJson<Change>(server, 'DELETE', `/api/crashes/blacklist/${added.body.entry.id}`);
      assert.ok(removed.body.job);
      await waitForJob(server, removed.body.job.id);
      assert.equal(await guiltyOf(gammaId), 'gamma()');
    });

    test('a reset queues a job that GET /api/crashes/reprocess lists first and runs to done', async () => {
      const queued = await injectJson<Job>(server, 'POST', '/api/crashes/reprocess', { reason: 'test reset' });
      assert.equal(queued.status, 200);
      assert.match(queued.body.reason, /test reset/);
      const { jobs } = (await injectJson<{ jobs: Job[] }>(server, 'GET', '/api/crashes/reprocess')).body;
      assert.equal(jobs[0]?.id, queued.body.id);
      const done = await waitForJob(server, queued.body.id);
      assert.equal(done.total, 3);
      assert.equal(done.done, 3);
    });

    test('answers 400 BODY_INVALID for an empty function or a missing module', async () => {
      for (const body of [{ function: '', module: LIB }, { function: 'f()' }]) {
        const res = await injectJson(server, 'POST', '/api/crashes/blacklist', body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.body.code, 'BODY_INVALID');
        assert.match(JSON.stringify(res.body.details), /function|module/);
      }
    });
  });
}
