import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { databaseTargets } from '../../helpers/database.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { foldRollupDeltas } from '../../../src/db/queries/rollup-deltas.ts';
import { insertSeedRecords, type SeedRecord } from '../seed-records.ts';

const DAY = 86_400_000;
const now = Date.now();
const clientDaysAgo = (days: number) => Math.floor((now - days * DAY) / 1000);

const BUILD_ROWS: Partial<SeedRecord>[] = [
  ...['17700', '17700', '17700', '9', '17780', '17780', '22.04', 'abc', '100000000000000000000'].map((build) => ({ build })),
  { build: '17780', classification: 'org.clearlinux/crash/segfault', hostType: 'laptop', severity: 4 },
  { build: '17780', classification: 'org.clearlinux/crash/abort', hostType: 'laptop', severity: 4, receivedAt: new Date(now - 45 * DAY) },
];

const HEARTBEAT = 'org.clearlinux/heartbeat/ping';
const POPULATION_ROWS: Partial<SeedRecord>[] = [
  { machineId: 'p1', build: '100', classification: HEARTBEAT, timestampClient: clientDaysAgo(0.5) },
  { machineId: 'p1', build: '100', classification: HEARTBEAT, timestampClient: clientDaysAgo(0.6) },
  { machineId: 'p2', build: '100', classification: HEARTBEAT, external: true, timestampClient: clientDaysAgo(2) },
  { machineId: 'p3', build: '100', classification: HEARTBEAT, timestampClient: clientDaysAgo(5) },
  { machineId: 'p4', build: '200', classification: HEARTBEAT, timestampClient: clientDaysAgo(10) },
  { machineId: 'p5', build: '200', classification: HEARTBEAT, external: true, timestampClient: clientDaysAgo(20) },
  { machineId: 'p6', build: '300', classification: 'org.clearlinux/crash/segfault', timestampClient: clientDaysAgo(1.5) },
  { machineId: 'p7', build: '400', classification: HEARTBEAT, systemName: 'debian', timestampClient: clientDaysAgo(1.5) },
];

for (const target of databaseTargets()) {
  describe(`GET /api/stats/builds, /classifications, /platforms (${target.name})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(target);
      await insertSeedRecords(server.db.pool, BUILD_ROWS);
    });
    after(() => server.close());
    const get = async (url: string) => {
      const res = await server.inject({ url });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };

    test('counts every record per build, numeric builds first in integer order, with no default window', async () => {
      assert.deepEqual((await get('/api/stats/builds')).builds, [
        { build: '9', count: 1 },
        { build: '17700', count: 3 },
        { build: '17780', count: 4 },
        { build: '100000000000000000000', count: 1 },
        { build: '22.04', count: 1 },
        { build: 'abc', count: 1 },
      ]);
    });

    test('keeps only builds matching build_pattern (the reference view with ^[0-9]+$)', async () => {
      const body = await get(`/api/stats/builds?build_pattern=${encodeURIComponent('^[0-9]+$')}`);
      assert.deepEqual(body.builds.map((b: { build: string }) => b.build), ['9', '17700', '17780', '100000000000000000000']);
    });

    test('answers 400 naming build_pattern when it is not a valid regex', async () => {
      const res = await server.inject({ url: '/api/stats/builds?build_pattern=%5B' });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().details[0].field, 'build_pattern');
    });

    test('applies the shared filter to every aggregate', async () => {
      assert.deepEqual((await get('/api/stats/builds?classification=org.clearlinux/crash/*')).builds, [{ build: '17780', count: 2 }]);
      assert.deepEqual((await get('/api/stats/builds?classification=org.clearlinux/crash/*&created_in_days=30')).builds, [{ build: '17780', count: 1 }]);
      assert.deepEqual((await get('/api/stats/platforms?severity=4')).platforms, [{ host_type: 'laptop', count: 2 }]);
      assert.deepEqual((await get('/api/stats/classifications?build=17780')).classifications, [
        { classification: 'org.clearlinux/hello/world', count: 2 },
        { classification: 'org.clearlinux/crash/abort', count: 1 },
        { classification: 'org.clearlinux/crash/segfault', count: 1 },
      ]);
    });

    test('counts per classification and per host type, most first', async () => {
      assert.deepEqual((await get('/api/stats/classifications')).classifications[0], { classification: 'org.clearlinux/hello/world', count: 9 });
      assert.deepEqual((await get('/api/stats/platforms')).platforms, [
        { host_type: 'host|type|1', count: 9 },
        { host_type: 'laptop', count: 2 },
      ]);
    });

    test('answers 400 with the reference message for a bad shared parameter', async () => {
      const res = await server.inject({ url: '/api/stats/classifications?severity=7' });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().message, 'Severity should be a numeric value');
    });

    test('answers empty lists when nothing matches', async () => {
      assert.deepEqual(await get('/api/stats/builds?machine_id=nobody'), { builds: [] });
      assert.deepEqual(await get('/api/stats/classifications?machine_id=nobody'), { classifications: [] });
      assert.deepEqual(await get('/api/stats/platforms?machine_id=nobody'), { platforms: [] });
    });
  });

  describe(`GET /api/stats/population (${target.name})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(target);
      await insertSeedRecords(server.db.pool, POPULATION_ROWS);
      // Population lags ingest until the background fold ran (migration 0050): fold now.
      await foldRollupDeltas(server.db.pool, true);
    });
    after(() => server.close());
    const windows = async (query = '') => {
      const res = await server.inject({ url: `/api/stats/population${query}` });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };

    test('counts distinct internal and external machines per build over the five client-time windows', async () => {
      const body = await windows();
      assert.equal(body.classification, HEARTBEAT);
      assert.equal(body.system_name, 'clear-linux-os');
      const byKey = Object.fromEntries(body.windows.map((w: { key: string; builds: unknown }) => [w.key, w.builds]));
      assert.deepEqual(body.windows.map((w: { key: string; days: number | null }) => [w.key, w.days]), [['Overall', null], ['TwoWeeks', 14], ['OneWeek', 7], ['ThreeDay', 3], ['OneDay', 1]]);
      assert.deepEqual(byKey.Overall, [{ build: '100', internal: 2, external: 1 }, { build: '200', internal: 1, external: 1 }]);
      assert.deepEqual(byKey.TwoWeeks, [{ build: '100', internal: 2, external: 1 }, { build: '200', internal: 1, external: 0 }]);
      assert.deepEqual(byKey.OneWeek, [{ build: '100', internal: 2, external: 1 }]);
      assert.deepEqual(byKey.ThreeDay, [{ build: '100', internal: 1, external: 1 }]);
      assert.deepEqual(byKey.OneDay, [{ build: '100', internal: 1, external: 0 }]);
    });

    test('lifts the classification and system name restrictions with *', async () => {
      const anySystem = await windows('?system_name=*');
      assert.equal(anySystem.system_name, '*');
      assert.deepEqual(anySystem.windows[0].builds.map((b: { build: string }) => b.build), ['100', '200', '400']);
      const anyClass = await windows('?classification=*');
      assert.deepEqual(anyClass.windows[0].builds.map((b: { build: string }) => b.build), ['100', '200', '300']);
      const crashes = await windows('?classification=org.clearlinux/crash/*');
      assert.equal(crashes.classification, 'org.clearlinux/crash/*');
      assert.deepEqual(crashes.windows[4].builds, []);
      assert.deepEqual(crashes.windows[3].builds, [{ build: '300', internal: 1, external: 0 }]);
    });

    test('applies the other filters', async () => {
      const external = await windows('?data_source=external');
      assert.deepEqual(external.windows[0].builds, [{ build: '100', internal: 0, external: 1 }, { build: '200', internal: 0, external: 1 }]);
    });
  });
}
