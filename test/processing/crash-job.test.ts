// The background crash processor against a real database: records get their guilty
// and signature without a request doing the work; every record is analysed exactly
// once across restarts, several processors and late commits.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_CRASH_CLASSES } from '../../src/config/schema.ts';
import { analyseCrash } from '../../src/crash/analyse.ts';
import { Blacklist } from '../../src/crash/blacklist.ts';
import { BACKTRACE_CLASSES } from '../../src/crash/guilty.ts';
import { findCrashSignature } from '../../src/db/queries/crash-signatures.ts';
import { CrashProcessor } from '../../src/processing/crash-job.ts';
import { addBlacklistEntry } from '../../src/processing/guilty-management.ts';
import { createTestDatabase, databaseTargets } from '../helpers/database.ts';
import { sendRequest } from '../helpers/http-requests.ts';
import { startTestServer } from '../helpers/server.ts';
import { buildRecordV4 } from '../protocol/reference-records.ts';
import {
  buildCrashPayload,
  CLR,
  countAnalysed,
  KERNEL_WARNING,
  readAnalyses,
  readCrashFixture,
  startProcessor,
  storeRecords,
  waitFor,
  waitForAnalysed,
} from './crash-records.ts';

describe('crash.classes default', () => {
  test('is the reference backtrace class list', () => {
    assert.deepEqual([...DEFAULT_CRASH_CLASSES], [...BACKTRACE_CLASSES]);
  });
});

for (const target of databaseTargets()) {
  describe(`CrashProcessor (${target.name})`, () => {
    test('analyses a crash record posted to the collector soon after the 201', async (t) => {
      const server = await startTestServer(target);
      t.after(() => server.close());
      assert.ok(server.app.crash instanceof CrashProcessor);
      const payload = readCrashFixture('crash-clr-spec-example.txt');
      const headers = { ...buildRecordV4(), classification: CLR, 'Content-Type': 'application/text' };
      const res = await sendRequest(server.baseUrl, { path: '/v2/collector', headers, body: payload });
      assert.equal(res.status, 201, res.text);
      const { rows } = await server.db.pool.query<{ id: number }>('SELECT id::float8 AS id FROM records');
      const id = rows[0]?.id as number;
      await waitForAnalysed(server.db.pool, [id]);
      const [analysis] = await readAnalyses(server.db.pool, [id]);
      assert.equal(analysis?.function, 'parse_item()');
      assert.equal(analysis?.module, '/usr/bin/exampled');
      assert.equal(analysis?.program, '/usr/bin/exampled');
      assert.equal(analysis?.signal, 11);
      const signature = await findCrashSignature(server.db.pool, analysis?.signature ?? '');
      assert.deepEqual(signature?.frames, ['parse_item() - [exampled]', 'handle_request() - [exampled]', '__libc_start_main() - [libc.so.6]']);
      const stored = await server.db.pool.query<{ payload: string }>('SELECT payload FROM records WHERE id = $1', [id]);
      assert.equal(stored.rows[0]?.payload, payload);
    });

    test('finds the guilties of the reference-backend §9.4 worked examples with an empty blacklist', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      startProcessor(t, db.pool);
      const ids = await storeRecords(db.pool, [
        { payload: readCrashFixture('crash-clr-spec-example.txt') },
        { classification: KERNEL_WARNING, payload: readCrashFixture('kernel-warning-spec-example.txt') },
      ]);
      await waitForAnalysed(db.pool, ids);
      const [user, kernel] = await readAnalyses(db.pool, ids);
      assert.deepEqual([user?.function, user?.module], ['parse_item()', '/usr/bin/exampled']);
      assert.deepEqual([kernel?.function, kernel?.module], ['example_dev_init', 'kernel']);
      assert.equal(kernel?.program, null);
      assert.notEqual(kernel?.signature, null);
    });

    test('blames __libc_start_main() when parse_item() and handle_request() are blacklisted (§9.4)', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      await addBlacklistEntry(db.pool, { function: 'parse_item()', module: '/usr/bin/exampled' });
      await addBlacklistEntry(db.pool, { function: 'handle_request()', module: '/usr/bin/exampled' });
      startProcessor(t, db.pool);
      const ids = await storeRecords(db.pool, [{ payload: readCrashFixture('crash-clr-spec-example.txt') }]);
      await waitForAnalysed(db.pool, ids);
      const [analysis] = await readAnalyses(db.pool, ids);
      assert.deepEqual([analysis?.function, analysis?.module], ['__libc_start_main()', 'libc.so.6']);
    });

    test('stores a record without guilty once and never retries it', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const { analysed } = startProcessor(t, db.pool);
      const [garbage] = await storeRecords(db.pool, [{ payload: 'not a backtrace\n\u00ff\u0001' }]);
      await waitForAnalysed(db.pool, [garbage as number]);
      const first = await db.pool.query<{ processed_at: Date }>('SELECT processed_at, guilty_id FROM crash_analysis');
      // Later records are analysed after it; the guilty-less record is not taken up again.
      for (let round = 0; round < 3; round++) {
        const later = await storeRecords(db.pool, [{ payload: buildCrashPayload('later()', round) }]);
        await waitForAnalysed(db.pool, later);
      }
      const [analysis] = await readAnalyses(db.pool, [garbage as number]);
      assert.equal(analysis?.function, null);
      assert.equal(analysis?.signature, null);
      const again = await db.pool.query<{ processed_at: Date }>('SELECT processed_at FROM crash_analysis WHERE record_id = $1', [garbage]);
      assert.deepEqual(again.rows[0]?.processed_at, first.rows[0]?.processed_at);
      assert.equal(await analysed(), 4);
    });

    test('analyses crash records of every system name and leaves other classes alone', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      startProcessor(t, db.pool);
      const [other, debian, ubuntu] = await storeRecords(db.pool, [
        { classification: 'org.clearlinux/crash/unknown', payload: readCrashFixture('crash-clr-spec-example.txt') },
        { payload: buildCrashPayload('debian_fn()'), systemName: 'debian' },
        { payload: buildCrashPayload('ubuntu_fn()'), systemName: 'ubuntu' },
      ]);
      await waitForAnalysed(db.pool, [debian as number, ubuntu as number]);
      assert.deepEqual((await readAnalyses(db.pool, [debian as number, ubuntu as number])).map((a) => a.function), ['debian_fn()', 'ubuntu_fn()']);
      assert.equal(await countAnalysed(db.pool, [other as number]), 0);
    });

    test('gives the same crash on other machines and PIDs the same signature, another top frame another one', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      startProcessor(t, db.pool);
      const ids = await storeRecords(db.pool, [
        { payload: buildCrashPayload('same()', 1) },
        { payload: buildCrashPayload('same()', 2) },
        { payload: buildCrashPayload('different()', 3) },
      ]);
      await waitForAnalysed(db.pool, ids);
      const [a, b, c] = await readAnalyses(db.pool, ids);
      assert.equal(a?.signature, b?.signature);
      assert.notEqual(a?.signature, c?.signature);
      const signatures = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM crash_signatures');
      assert.equal(signatures.rows[0]?.n, 2);
    });

    test('resumes after a restart mid-backlog and analyses every record exactly once', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const ids = await storeRecords(db.pool, Array.from({ length: 3000 }, (_, i) => ({ payload: buildCrashPayload(`fn_${i % 40}()`, i) })));
      const first = startProcessor(t, db.pool, { batchSize: 10 });
      await waitFor('a first batch', async () => (await countAnalysed(db.pool, ids)) > 0);
      await first.processor.stop();
      const byFirst = await countAnalysed(db.pool, ids);
      assert.equal(await first.analysed(), byFirst);

      const second = startProcessor(t, db.pool, { batchSize: 500 });
      await waitForAnalysed(db.pool, ids);
      assert.equal((await first.analysed()) + (await second.analysed()), ids.length);
      const analyses = await readAnalyses(db.pool, ids);
      assert.deepEqual(analyses.map((a) => a.function), ids.map((_, i) => `fn_${i % 40}()`));
    });

    test('shares the work of two processors on one database: each record once, same result', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const payloads = Array.from({ length: 3000 }, (_, i) => buildCrashPayload(`shared_${i % 25}()`, i));
      const ids = await storeRecords(db.pool, payloads.map((payload) => ({ payload })));
      const a = startProcessor(t, db.pool, { batchSize: 50 });
      const b = startProcessor(t, db.pool, { batchSize: 50 });
      await waitForAnalysed(db.pool, ids);
      await Promise.all([a.processor.stop(), b.processor.stop()]);
      assert.equal((await a.analysed()) + (await b.analysed()), ids.length);
      const analyses = await readAnalyses(db.pool, ids);
      const expected = payloads.map((p) => analyseCrash(p, CLR, new Blacklist()));
      assert.deepEqual(analyses.map((x) => x.function), expected.map((e) => e.guilty?.function));
      assert.deepEqual(analyses.map((x) => x.signature), expected.map((e) => e.signature?.signature));
    });

    test('catches up a record that committed after the scan passed its id', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const reserved = await db.pool.query<{ id: number }>("SELECT nextval('records_id_seq')::float8 AS id");
      const lateId = reserved.rows[0]?.id as number;
      const { analysed } = startProcessor(t, db.pool, { catchUpIntervalMs: 100 });
      const early = await storeRecords(db.pool, [{ payload: buildCrashPayload('early()') }]);
      await waitForAnalysed(db.pool, early);
      // The writer of lateId commits only now, after the scan has passed it.
      await db.pool.query(
        `INSERT INTO records (id, received_at, machine_id, host_type, severity, classification, build, architecture,
           kernel_version, record_version, timestamp_client, payload_version, system_name, board_name, bios_version,
           cpu_model, event_id, payload)
         VALUES ($1, now(), 'm', 'h', 3, $2, '31000', 'x86_64', '6.1', 4, 0, 1, 'clear-linux-os', 'b', 'b', 'c', 'e', $3)`,
        [lateId, CLR, buildCrashPayload('late()')],
      );
      await waitForAnalysed(db.pool, [lateId]);
      assert.equal((await readAnalyses(db.pool, [lateId]))[0]?.function, 'late()');
      assert.equal(await analysed('catch_up'), 1);
    });

    test('analyses at start the records a previous run left behind below its last analysed id', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const ids = await storeRecords(db.pool, Array.from({ length: 50 }, (_, i) => ({ payload: buildCrashPayload(`left_${i}()`, i) })));
      // A previous run analysed only the last record.
      const last = ids[ids.length - 1] as number;
      await db.pool.query(`INSERT INTO crash_analysis (record_id, received_at, classification, build, machine_id, system_name, severity, external, timestamp_client) SELECT id, received_at, classification, build, machine_id, system_name, severity, external, timestamp_client FROM records WHERE id = $1`, [last]);
      const { analysed } = startProcessor(t, db.pool);
      await waitForAnalysed(db.pool, ids);
      assert.equal(await analysed('catch_up'), ids.length - 1);
    });
  });
}
