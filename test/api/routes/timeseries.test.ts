import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { databaseTargets } from '../../helpers/database.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { insertSeedRecords, type SeedRecord } from '../seed-records.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
// 00:00 UTC three days ago: a fixed, hour-aligned origin inside the existing partitions' reach.
const BASE = Math.floor(Date.now() / DAY) * DAY - 3 * DAY;
const iso = (ms: number) => new Date(ms).toISOString();

const row = (offsetMs: number, fields: Partial<SeedRecord>): Partial<SeedRecord> => ({
  receivedAt: new Date(BASE + offsetMs),
  timestampClient: Math.floor((BASE + offsetMs) / 1000) - 86_400, // created a day before reception
  ...fields,
});

const ROWS = [
  row(10 * MINUTE, { classification: 'a/b/one', build: '1', severity: 1 }),
  row(15 * MINUTE, { classification: 'a/b/one', build: '1', severity: 2 }),
  row(70 * MINUTE, { classification: 'a/b/two', build: '2', severity: 2 }),
  row(130 * MINUTE, { classification: 'a/b/one', build: '2', severity: 3 }),
  row(130 * MINUTE + 30_000, { classification: 'a/b/three', build: '3', severity: 3 }),
];

for (const target of databaseTargets()) {
  describe(`GET /api/stats/timeseries (${target.name})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(target);
      await insertSeedRecords(server.db.pool, ROWS);
    });
    after(() => server.close());
    const get = async (query: string) => {
      const res = await server.inject({ url: `/api/stats/timeseries?${query}` });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    const range = `received_from=${iso(BASE)}&received_to=${iso(BASE + 3 * HOUR)}`;

    test('counts records per hour over the received range, zero-filled', async () => {
      const body = await get(range);
      assert.equal(body.resolution, 'hour');
      assert.equal(body.bucket_seconds, 3600);
      assert.equal(body.from, iso(BASE));
      assert.equal(body.to, iso(BASE + 3 * HOUR));
      assert.deepEqual(body.buckets, [0, 1, 2].map((h) => (BASE + h * HOUR) / 1000));
      assert.deepEqual(body.series, [{ key: 'all', total: 5, counts: [2, 1, 2] }]);
      assert.equal(body.other, null);
    });

    test('groups by classification, largest series first, the rest in other', async () => {
      const body = await get(`${range}&group_by=classification`);
      assert.deepEqual(body.series, [
        { key: 'a/b/one', total: 3, counts: [2, 0, 1] },
        { key: 'a/b/three', total: 1, counts: [0, 0, 1] },
        { key: 'a/b/two', total: 1, counts: [0, 1, 0] },
      ]);
      const limited = await get(`${range}&group_by=classification&series_limit=1`);
      assert.deepEqual(limited.series, [{ key: 'a/b/one', total: 3, counts: [2, 0, 1] }]);
      assert.deepEqual(limited.other, { total: 2, counts: [0, 1, 1] });
    });

    test('groups by build, severity, system name and host type', async () => {
      assert.deepEqual((await get(`${range}&group_by=build`)).series.map((s: { key: string }) => s.key), ['1', '2', '3']);
      assert.deepEqual((await get(`${range}&group_by=severity`)).series, [
        { key: '2', total: 2, counts: [1, 1, 0] },
        { key: '3', total: 2, counts: [0, 0, 2] },
        { key: '1', total: 1, counts: [1, 0, 0] },
      ]);
      assert.deepEqual((await get(`${range}&group_by=system_name`)).series, [{ key: 'clear-linux-os', total: 5, counts: [2, 1, 2] }]);
      assert.deepEqual((await get(`${range}&group_by=host_type`)).series[0].key, 'host|type|1');
    });

    test('counts per minute and per day', async () => {
      const minutes = await get(`${range}&resolution=minute`);
      assert.equal(minutes.buckets.length, 180);
      const counts: number[] = minutes.series[0].counts;
      assert.deepEqual(counts.flatMap((c, i) => (c > 0 ? [[i, c]] : [])), [[10, 1], [15, 1], [70, 1], [130, 2]]);
      const days = await get(`received_from=${iso(BASE - DAY)}&received_to=${iso(BASE + DAY)}&resolution=day`);
      assert.deepEqual(days.series[0].counts, [0, 5]);
    });

    test('buckets on client time with time=created', async () => {
      const body = await get(`time=created&created_from=${(BASE - DAY) / 1000}&created_to=${(BASE - DAY + 3 * HOUR) / 1000}`);
      assert.equal(body.time, 'created');
      assert.deepEqual(body.series[0].counts, [2, 1, 2]);
    });

    test('applies the shared filter', async () => {
      assert.deepEqual((await get(`${range}&severity_min=3`)).series[0].counts, [0, 0, 2]);
      assert.deepEqual((await get(`${range}&payload=nothing-matches`)).series, []);
    });

    test('defaults to the last week by hour', async () => {
      const body = await get('');
      assert.ok(body.buckets.length === 168 || body.buckets.length === 169, String(body.buckets.length));
      assert.equal(body.series[0].total, 5);
      assert.ok(Date.parse(body.to) - Date.parse(body.from) === 7 * DAY);
    });

    test('answers an empty series for an empty or inverted range', async () => {
      const body = await get(`received_from=${iso(BASE + HOUR)}&received_to=${iso(BASE)}`);
      assert.deepEqual([body.buckets, body.series, body.other], [[], [], null]);
    });

    const invalid: [string, string][] = [
      ['resolution=week', 'resolution'],
      ['group_by=machine_id', 'group_by'],
      ['time=server', 'time'],
      ['series_limit=0', 'series_limit'],
      ['series_limit=101', 'series_limit'],
      ['resolution=minute&received_from=0', 'resolution'],
      [`resolution=day&received_from=0&received_to=${iso(Date.UTC(2100, 0, 1))}`, 'resolution'],
      ['received_from=soon', 'received_from'],
    ];
    for (const [query, field] of invalid) {
      test(`answers 400 naming ${field} for ?${query}`, async () => {
        const res = await server.inject({ url: `/api/stats/timeseries?${query}` });
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(res.json().code, 'QUERY_PARAM_INVALID');
        assert.equal(res.json().details[0].field, field);
      });
    }
  });
}
