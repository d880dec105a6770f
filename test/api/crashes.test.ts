// The crash routes over crashes posted through the real collector and analysed by the
// real background processor: top guilties and signatures per build, guilty details,
// backtraces, PATCH of a guilty, and 404s. Writes to the blacklist: crashes-admin.test.ts.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { databaseTargets } from '../helpers/database.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { buildCrashPayload } from '../processing/crash-records.ts';
import { postRecord, type SeedSpec } from '../ui/seed-ui-records.ts';
import { injectJson, waitForProcessed } from './crash-seeding.ts';

const LIB = '/usr/lib64/libapp.so.1';
const KERNEL_OOPS = `Crash Report:
Reason: WARNING: CPU: 1 PID: 311 at drivers/example/example_core.c:214 example_dev_init+0x4e/0x90 [example]
Kernel Version : 5.10.0-example #1
Tainted : G        W
Modules : example e1000e
Backtrace :
#1 example_dev_init - [kernel]
#2 example_probe - [kernel]
#3 ? kmem_cache_alloc - [kernel]
`;

function crash(build: string, machineId: string, fn: string, i: number, ageSeconds = 600 + i): SeedSpec {
  return { classification: 'org.clearlinux/crash/clr', severity: 4, machineId, build, payload: buildCrashPayload(fn, i), ageSeconds };
}

// Hand-counted below: alpha 100:3 101:2 99:1 (+1 on 101 eight days old), beta 100:1 101:2, kernel 101:1.
const SPECS: SeedSpec[] = [
  crash('100', 'm1', 'alpha()', 1),
  crash('100', 'm1', 'alpha()', 2),
  crash('100', 'm2', 'alpha()', 3),
  crash('100', 'm3', 'beta()', 4),
  crash('101', 'm1', 'alpha()', 5),
  crash('101', 'm1', 'alpha()', 6),
  crash('101', 'm3', 'beta()', 7),
  crash('101', 'm3', 'beta()', 8),
  crash('99', 'm4', 'alpha()', 9),
  crash('101', 'm1', 'alpha()', 10, 8 * 86_400),
  { classification: 'org.clearlinux/kernel/warning', severity: 3, machineId: 'm5', build: '101', payload: KERNEL_OOPS, ageSeconds: 700 },
];

interface Top {
  builds: string[];
  guilties: { id: number; function: string; module: string; comment: string | null; total: number; builds: { build: string; count: number }[] }[];
}

for (const target of databaseTargets()) {
  describe(`crash reads (${target.name})`, () => {
    let server: TestServer;
    let ids: number[];
    let heartbeatId: number;
    const top = async (query = '') => (await injectJson<Top>(server, 'GET', `/api/crashes/guilties${query}`)).body;
    const guiltyId = async (fn: string) => {
      const found = (await top('?created_from=0&limit=100')).guilties.find((g) => g.function === fn);
      assert.ok(found, fn);
      return found.id;
    };

    before(async () => {
      server = await startTestServer(target);
      ids = [];
      for (const spec of SPECS) ids.push(await postRecord(server.baseUrl, spec));
      heartbeatId = await postRecord(server.baseUrl, { classification: 'org.clearlinux/heartbeat/ping', severity: 1, machineId: 'm1', build: '101', payload: 'hello\n' });
      await waitForProcessed(server, ids);
    });
    after(() => server.close());

    test('lists top guilties of the last 7 days per build, newest build first, by total', async () => {
      const body = await top();
      assert.deepEqual(body.builds, ['101', '100', '99']);
      assert.deepEqual(
        body.guilties.map((g) => [g.function, g.module, g.total, g.builds]),
        [
          ['alpha()', LIB, 6, [{ build: '101', count: 2 }, { build: '100', count: 3 }, { build: '99', count: 1 }]],
          ['beta()', LIB, 3, [{ build: '101', count: 2 }, { build: '100', count: 1 }]],
          ['example_dev_init', 'kernel', 1, [{ build: '101', count: 1 }]],
        ],
      );
    });

    test('restricts to one build with build= and to the newest builds with build_count', async () => {
      const one = await top('?build=100');
      assert.deepEqual(one.builds, ['100']);
      assert.deepEqual(one.guilties.map((g) => [g.function, g.total]), [['alpha()', 3], ['beta()', 1]]);
      const two = await top('?build_count=2');
      assert.deepEqual(two.builds, ['101', '100']);
      assert.deepEqual(two.guilties.map((g) => [g.function, g.total]), [['alpha()', 5], ['beta()', 3], ['example_dev_init', 1]]);
      assert.deepEqual((await top('?build=no-such-build')).guilties, []);
    });

    test('counts older crashes when created_from widens the client-time window, and pages with offset and limit', async () => {
      const all = await top('?created_from=0');
      assert.deepEqual(all.guilties.map((g) => g.total), [7, 3, 1]);
      const page = await top('?offset=1&limit=1');
      assert.deepEqual(page.guilties.map((g) => g.function), ['beta()']);
      assert.deepEqual((await top('?classification=org.clearlinux/kernel/*')).guilties.map((g) => g.function), ['example_dev_init']);
    });

    test('groups by signature with frames, the main guilty and per-build counts', async () => {
      const { body } = await injectJson<{ builds: string[]; signatures: { signature: string; frames: string[]; guilty: { function: string } | null; total: number }[] }>(
        server,
        'GET',
        '/api/crashes/signatures',
      );
      assert.deepEqual(body.builds, ['101', '100', '99']);
      assert.deepEqual(body.signatures.map((s) => [s.guilty?.function, s.total]), [['alpha()', 6], ['beta()', 3], ['example_dev_init', 1]]);
      for (const s of body.signatures) assert.ok(s.frames.length > 0 && s.signature.length > 0);
    });

    test('answers guilty details with machine mappings per build, newest build first', async () => {
      const id = await guiltyId('alpha()');
      const { status, body } = await injectJson(server, 'GET', `/api/crashes/guilties/${id}`);
      assert.equal(status, 200);
      assert.deepEqual(body, {
        id,
        function: 'alpha()',
        module: LIB,
        comment: null,
        hidden: false,
        machines: [
          { build: '101', machine_id: 'm1', count: 3 },
          { build: '100', machine_id: 'm1', count: 2 },
          { build: '100', machine_id: 'm2', count: 1 },
          { build: '99', machine_id: 'm4', count: 1 },
        ],
      });
    });

    test('answers at most 50 parsed backtraces with the guilty frame marked, filtered by machine and build', async () => {
      const id = await guiltyId('alpha()');
      type Backtraces = { backtraces: { record_id: number; machine_id: string; build: string; program: string | null; signal: string | null; frames: { function: string; module: string; guilty: boolean }[] }[] };
      const all = (await injectJson<Backtraces>(server, 'GET', `/api/crashes/guilties/${id}/backtraces`)).body.backtraces;
      assert.equal(all.length, 7);
      assert.deepEqual(all.map((b) => b.record_id), [...all.map((b) => b.record_id)].sort((a, b) => b - a));
      for (const b of all) {
        assert.deepEqual(b.frames.filter((f) => f.guilty).map((f) => [f.function, f.module]), [['alpha()', LIB]]);
        assert.equal(b.signal, '11');
        assert.match(b.program ?? '', /^\/usr\/bin\/app/);
      }
      const one = (await injectJson<Backtraces>(server, 'GET', `/api/crashes/guilties/${id}/backtraces?machine_id=m2&build=100`)).body.backtraces;
      assert.deepEqual(one.map((b) => [b.machine_id, b.build]), [['m2', '100']]);
      const tooMany = await injectJson(server, 'GET', `/api/crashes/guilties/${id}/backtraces?limit=51`);
      assert.equal(tooMany.status, 400);
      assert.equal(tooMany.body.code, 'QUERY_PARAM_INVALID');
      assert.equal((tooMany.body.details as { field: string }[])[0]?.field, 'limit');
    });

    test('PATCH sets and clears a comment, and hiding excludes the guilty from the top lists until shown again', async () => {
      const id = await guiltyId('beta()');
      const commented = await injectJson(server, 'PATCH', `/api/crashes/guilties/${id}`, { comment: 'known issue' });
      assert.equal(commented.status, 200);
      assert.deepEqual(commented.body, { id, function: 'beta()', module: LIB, comment: 'known issue', hidden: false });
      assert.equal((await top()).guilties.find((g) => g.id === id)?.comment, 'known issue');
      assert.equal((await injectJson(server, 'PATCH', `/api/crashes/guilties/${id}`, { comment: '' })).body.comment, null);

      assert.equal((await injectJson(server, 'PATCH', `/api/crashes/guilties/${id}`, { hidden: true })).body.hidden, true);
      assert.deepEqual((await top()).guilties.map((g) => g.function), ['alpha()', 'example_dev_init']);
      const sigs = (await injectJson<{ signatures: { guilty: { id: number } | null }[] }>(server, 'GET', '/api/crashes/signatures')).body.signatures;
      assert.equal(sigs.some((s) => s.guilty?.id === id), false);
      const hidden = (await injectJson<{ guilties: { id: number; hidden: boolean }[] }>(server, 'GET', '/api/crashes/hidden-guilties')).body.guilties;
      assert.deepEqual(hidden.map((g) => [g.id, g.hidden]), [[id, true]]);
      assert.equal((await injectJson(server, 'GET', `/api/crashes/guilties/${id}`)).body.hidden, true);

      await injectJson(server, 'PATCH', `/api/crashes/guilties/${id}`, { hidden: false });
      assert.deepEqual((await top()).guilties.map((g) => g.function), ['alpha()', 'beta()', 'example_dev_init']);
      assert.deepEqual((await injectJson<{ guilties: unknown[] }>(server, 'GET', '/api/crashes/hidden-guilties')).body.guilties, []);
    });

    test('PATCH answers 400 BODY_INVALID naming comment for 81 characters, and for a wrongly typed field', async () => {
      const id = await guiltyId('beta()');
      const long = await injectJson(server, 'PATCH', `/api/crashes/guilties/${id}`, { comment: 'x'.repeat(81) });
      assert.equal(long.status, 400);
      assert.equal(long.body.code, 'BODY_INVALID');
      assert.equal((long.body.details as { field: string }[])[0]?.field, 'comment');
      assert.equal((await injectJson(server, 'PATCH', `/api/crashes/guilties/${id}`, { comment: 'x'.repeat(80) })).status, 200);
      const typed = await injectJson(server, 'PATCH', `/api/crashes/guilties/${id}`, { hidden: 'yes' });
      assert.equal(typed.status, 400);
      assert.equal(typed.body.code, 'BODY_INVALID');
      assert.match(JSON.stringify(typed.body.details), /hidden/);
    });

    test('answers 404 NOT_FOUND for missing guilties and records, and 400 for ids that are not numbers', async () => {
      for (const [method, url, body] of [
        ['GET', '/api/crashes/guilties/999999'],
        ['GET', '/api/crashes/guilties/999999/backtraces'],
        ['PATCH', '/api/crashes/guilties/999999', { hidden: true }],
        ['DELETE', '/api/crashes/blacklist/999999'],
        ['GET', '/api/crashes/records/999999999/frames'],
        ['POST', '/api/crashes/records/999999999/apply', {}],
        ['GET', `/api/crashes/records/${heartbeatId}/frames`],
        ['POST', `/api/crashes/records/${heartbeatId}/apply`, {}],
      ] as const) {
        const res = await injectJson(server, method, url, body);
        assert.equal(res.status, 404, `${method} ${url}`);
        assert.equal(res.body.code, 'NOT_FOUND');
      }
      for (const url of ['/api/crashes/guilties/abc', '/api/crashes/guilties/99999999999/backtraces', '/api/crashes/records/x/frames']) {
        const res = await injectJson(server, 'GET', url);
        assert.equal(res.status, 400, url);
        assert.equal(res.body.code, 'QUERY_PARAM_INVALID');
        assert.equal((res.body.details as { field: string }[])[0]?.field, 'id');
      }
      for (const query of ['limit=0', 'offset=-1', 'build_count=101', 'build_pattern=(', 'created_from=yesterday']) {
        const res = await injectJson(server, 'GET', `/api/crashes/guilties?${query}`);
        assert.equal(res.status, 400, query);
        assert.equal((res.body.details as { field: string }[])[0]?.field, query.split('=')[0]);
      }
    });
  });
}

for (const target of databaseTargets()) {
  describe(`crash reads over builds that are not plain integers (${target.name})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(target);
      const debian = (build: string, i: number, ageSeconds: number): SeedSpec => ({ ...crash(build, `d${i}`, 'delta()', i, ageSeconds), systemName: 'debian' });
      const ids = [];
      for (const spec of [debian('22.04', 1, 3 * 86_400), debian('9', 2, 3_600), debian('12.5', 3, 2 * 86_400), debian('12.5', 4, 5 * 86_400)]) {
        ids.push(await postRecord(server.baseUrl, spec));
      }
      await waitForProcessed(server, ids);
    });
    after(() => server.close());

    test('orders build columns by each build\'s latest client time when not every build is an integer', async () => {
      const { body } = await injectJson<Top>(server, 'GET', '/api/crashes/guilties?system_name=debian');
      assert.deepEqual(body.builds, ['9', '12.5', '22.04']);
      assert.deepEqual(body.guilties.map((g) => [g.total, g.builds]), [[4, [{ build: '9', count: 1 }, { build: '12.5', count: 2 }, { build: '22.04', count: 1 }]]]);
      assert.deepEqual((await injectJson<Top>(server, 'GET', '/api/crashes/guilties?build_count=1')).body.builds, ['9']);
      assert.deepEqual((await injectJson<Top>(server, 'GET', '/api/crashes/guilties?system_name=clear-linux-os')).body.guilties, []);
    });
  });
}
