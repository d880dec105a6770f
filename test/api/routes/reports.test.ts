import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { databaseTargets } from '../../helpers/database.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { insertSeedRecords, type SeedRecord } from '../seed-records.ts';

const DAY = 86_400;
const now = new Date();
const jan1 = Date.UTC(now.getUTCFullYear(), 0, 1) / 1000;

/** Python's `%U` of a UTC epoch: weeks starting on Sunday, days before the first Sunday in week 0. */
function weekU(epoch: number): number {
  const d = new Date(epoch * 1000);
  const yday = Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000);
  return Math.floor((yday + 7 - d.getUTCDay()) / 7);
}

const MCE = 'org.clearlinux/mce';
const status = (hex: string) => `CPU 0 BANK 5\nSTATUS 0x00000000${hex} MCGSTATUS 0\n`;
const MCE_ROWS: Partial<SeedRecord>[] = [
  { machineId: 'mA', build: '100', classification: `${MCE}/corrected`, timestampClient: jan1 + 3600, payload: status('cafef00d') },
  { machineId: 'mA', build: '100', classification: `${MCE}/corrected`, timestampClient: jan1 + 10 * DAY, payload: status('cafef00d') },
  { machineId: 'mA', build: '200', classification: `${MCE}/SRAO`, timestampClient: jan1 + 10 * DAY, payload: status('0000beef') },
  { machineId: 'mB', build: '200', classification: `${MCE}/UCNA`, timestampClient: jan1 + 10 * DAY, payload: 'no status here' },
  { machineId: 'mC', build: '100', classification: `${MCE}/corrected`, timestampClient: jan1 - 10 * DAY, payload: status('11111111') },
  { machineId: 'mD', build: '100', classification: `${MCE}/thermal`, timestampClient: jan1 + 3600, payload: 'thermal' },
  { machineId: 'mE', build: '100', classification: 'org.clearlinux/crash/x', timestampClient: jan1 + 3600, payload: status('22222222') },
];

for (const target of databaseTargets()) {
  describe(`GET /api/stats/mce (${target.name})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(target);
      await insertSeedRecords(server.db.pool, MCE_ROWS);
    });
    after(() => server.close());
    const get = async (query = '') => {
      const res = await server.inject({ url: `/api/stats/mce${query}` });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };

    test('counts the four MCE classifications since 1 January, per week, classification, build and status', async () => {
      const body = await get();
      assert.equal(body.from, new Date(jan1 * 1000).toISOString());
      assert.deepEqual(body.weekly, [
        { classification: `${MCE}/corrected`, weeks: [{ week: weekU(jan1 + 3600), count: 1 }, { week: weekU(jan1 + 10 * DAY), count: 1 }] },
        { classification: `${MCE}/SRAO`, weeks: [{ week: weekU(jan1 + 10 * DAY), count: 1 }] },
        { classification: `${MCE}/SRAR`, weeks: [] },
        { classification: `${MCE}/UCNA`, weeks: [{ week: weekU(jan1 + 10 * DAY), count: 1 }] },
      ]);
      assert.deepEqual(body.by_classification, [
        { classification: `${MCE}/corrected`, count: 2 },
        { classification: `${MCE}/SRAO`, count: 1 },
        { classification: `${MCE}/UCNA`, count: 1 },
      ]);
      assert.deepEqual(body.by_build, [{ build: '100', count: 2 }, { build: '200', count: 2 }]);
      assert.deepEqual(body.by_status, [{ status: '0000beef', count: 1 }, { status: 'cafef00d', count: 2 }]);
    });

    test('lists the top machines with their per-build counts', async () => {
      const body = await get();
      assert.equal(body.machine_count, 2);
      assert.deepEqual(body.top_machines, [
        { machine_id: 'mA', total: 3, by_build: [{ build: '100', count: 2 }, { build: '200', count: 1 }] },
        { machine_id: 'mB', total: 1, by_build: [{ build: '200', count: 1 }] },
      ]);
      const top1 = await get('?top=1');
      assert.equal(top1.machine_count, 2);
      assert.deepEqual(top1.top_machines.map((m: { machine_id: string }) => m.machine_id), ['mA']);
    });

    test('replaces the default range with created_from and applies the other filters', async () => {
      const body = await get(`?created_from=${jan1 - 20 * DAY}&machine_id=mC`);
      assert.deepEqual(body.by_build, [{ build: '100', count: 1 }]);
      assert.deepEqual(body.by_status, [{ status: '11111111', count: 1 }]);
    });

    test('answers 400 naming top when it is out of range', async () => {
      const res = await server.inject({ url: '/api/stats/mce?top=0' });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().details[0].field, 'top');
    });
  });

  describe(`GET /api/stats/thermal (${target.name})`, () => {
    let server: TestServer;
    const yearStart = (() => {
      const weekday = new Date(jan1 * 1000).getUTCDay();
      return jan1 - weekday * DAY;
    })();
    const recent = Math.floor(now.getTime() / 1000) - 3600;
    before(async () => {
      server = await startTestServer(target);
      await insertSeedRecords(server.db.pool, [
        { classification: `${MCE}/thermal`, timestampClient: recent },
        { classification: `${MCE}/thermal`, timestampClient: recent - 7 * DAY },
        { classification: `${MCE}/thermal`, timestampClient: recent - 60 * DAY },
        { classification: `${MCE}/corrected`, timestampClient: recent },
      ]);
    });
    after(() => server.close());

    test('counts thermal reports per week index since the Sunday four weeks back, newest first', async () => {
      const res = await server.inject({ url: '/api/stats/thermal' });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.year_start, new Date(yearStart * 1000).toISOString());
      const week = (t: number) => Math.ceil((t - yearStart) / (7 * DAY));
      const expected = [recent, recent - 7 * DAY].filter((t) => t >= yearStart).map((t) => ({ week: week(t), count: 1 }));
      assert.deepEqual(body.weeks, expected);
    });

    test('applies the shared filter', async () => {
      const res = await server.inject({ url: '/api/stats/thermal?machine_id=nobody' });
      assert.deepEqual(res.json().weeks, []);
    });
  });
}
