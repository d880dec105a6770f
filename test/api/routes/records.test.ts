import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { databaseTargets } from '../../helpers/database.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { buildRecordUnderscoreNames } from '../../protocol/reference-records.ts';
import { insertSeedRecords, type SeedRecord } from '../seed-records.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = Date.now();
const at = (msAgo: number) => new Date(now - msAgo);
const ts = (msAgo: number) => Math.floor((now - msAgo) / 1000);

// Rows named by their event_id label; the filters below are asserted as label sets.
const ROWS: Partial<SeedRecord>[] = [
  { label: 'hello', severity: 1, classification: 'org.clearlinux/hello/world', build: '17700', machineId: 'm1', receivedAt: at(HOUR), timestampClient: ts(HOUR), payload: 'hello world' },
  { label: 'segv', severity: 2, classification: 'org.clearlinux/crash/segfault', build: '17780', machineId: 'm2', architecture: 'aarch64', hostType: 'h2', external: true, receivedAt: at(2 * DAY), timestampClient: ts(2 * DAY + 100_000), payload: 'Segfault at 0x0\nbacktrace' },
  { label: 'abort', severity: 3, classification: 'org.clearlinux/crash/abort', build: '17780', machineId: 'm1', systemName: 'debian', receivedAt: at(10 * DAY), timestampClient: ts(10 * DAY), payload: 'abort() called' },
  { label: 'old-mce', severity: 4, classification: 'org.clearlinux/mce/corrected', build: '22.04', machineId: 'm3', systemName: 'debian', external: true, receivedAt: at(40 * DAY), timestampClient: ts(40 * DAY), payload: 'STATUS 0xdeadbeefcafef00d MCGSTATUS 0' },
  { label: 'other', severity: 2, classification: 'other.domain/probe/x', build: '9', machineId: 'm4', systemName: 'fedora', hostType: 'h3', receivedAt: at(5 * 60_000), timestampClient: ts(20 * HOUR), payload: 'ünïcödé "quoted", comma' },
  { label: 'ping', severity: 1, classification: 'org.clearlinux/heartbeat/ping', build: '17700', machineId: 'm5', receivedAt: at(25 * DAY), timestampClient: ts(25 * DAY), payload: 'ping' },
];

for (const target of databaseTargets()) {
  describe(`GET /api/records: reference API cases, §14.3 (${target.name})`, () => {
    test('finds the posted underscore-names record by severity and not by another build', async (t) => {
      const server = await startTestServer(target);
      t.after(() => server.close());
      const posted = await server.inject({ method: 'POST', url: '/', headers: buildRecordUnderscoreNames(), payload: 'test' });
      assert.equal(posted.statusCode, 201);
      const bySeverity = await server.inject({ url: '/api/records?severity=1' });
      assert.equal(bySeverity.statusCode, 200);
      assert.equal(bySeverity.json().records.length, 1);
      assert.deepEqual(bySeverity.json().records[0], posted.json());
      const byBuild = await server.inject({ url: '/api/records?build=17780' });
      assert.deepEqual(byBuild.json(), { records: [] });
    });
  });

  describe(`GET /api/records filters (${target.name})`, () => {
    let server: TestServer;
    const ids = new Map<string, number>();
    before(async () => {
      server = await startTestServer(target);
      const inserted = await insertSeedRecords(server.db.pool, ROWS);
      ROWS.forEach((r, i) => ids.set(r.label ?? '', inserted[i] ?? 0));
    });
    after(() => server.close());

    // Rows were inserted in ROWS order, so newest first (id descending) is the reverse.
    const newestFirst = (list: string[]) => ROWS.map((r) => r.label ?? '').reverse().filter((l) => list.includes(l));
    const labels = async (query: string): Promise<string[]> => {
      const res = await server.inject({ url: `/api/records?${query}` });
      assert.equal(res.statusCode, 200, `${query}: ${res.body}`);
      return (res.json().records as { event_id: string }[]).map((r) => r.event_id);
    };

    const cases: [string, string[]][] = [
      // reference parameters (the 30-day default window hides old-mce)
      ['', ['other', 'ping', 'abort', 'segv', 'hello']],
      ['severity=1', ['ping', 'hello']],
      ['severity=01', ['ping', 'hello']],
      ['classification=org.clearlinux/crash/abort', ['abort']],
      ['build=17780', ['abort', 'segv']],
      ['build="17780"', ['abort', 'segv']],
      ["build='17'780", ['abort', 'segv']],
      ['build=', []],
      ['machine_id=m1', ['abort', 'hello']],
      ['machine_id=', []],
      ['created_in_days=3', ['other', 'segv', 'hello']],
      ['created_in_days=0', []],
      ['created_in_days=999999999999999999999', ['other', 'ping', 'abort', 'segv', 'hello']],
      ['created_in_sec=7200', ['other', 'hello']],
      ['created_in_days=1&created_in_sec=60', ['other', 'hello']],
      ['limit=2', ['ping', 'other']],
      ['limit=5', ['other', 'ping', 'abort', 'segv', 'hello']],
      ['limit=0', []],
      // extensions
      ['classification=org.clearlinux/crash/*', ['abort', 'segv']],
      ['classification=org.clearlinux/*', ['ping', 'abort', 'segv', 'hello']],
      ['classification=org.clearlinux/%25', ['ping', 'abort', 'segv', 'hello']],
      ['classification=*', ['other', 'ping', 'abort', 'segv', 'hello']],
      ['classification=org_clearlinux/*', []],
      ['severity_min=2', ['other', 'abort', 'segv']],
      ['severity_max=2', ['other', 'ping', 'segv', 'hello']],
      ['severity_min=2&severity_max=2', ['other', 'segv']],
      ['system_name=debian', ['abort']],
      ['system_name=*', ['other', 'ping', 'abort', 'segv', 'hello']],
      ['arch=aarch64', ['segv']],
      ['host_type=h3', ['other']],
      ['data_source=external', ['segv']],
      ['data_source=internal', ['other', 'ping', 'abort', 'hello']],
      ['data_source=all', ['other', 'ping', 'abort', 'segv', 'hello']],
      ['payload=^Segfault', ['segv']],
      ['payload=segfault', []],
      ['payload=(?i)segfault', ['segv']],
      ['payload=ü', ['other']],
      ['not_payload=o', ['ping', 'segv']],
      ['payload=a&not_payload=^abort', ['other', 'segv']],
    ];
    for (const [query, expected] of cases) {
      test(`answers ${JSON.stringify(expected)} for ?${query}`, async () => {
        assert.deepEqual(await labels(query), newestFirst(expected));
      });
    }

    test('lifts the 30-day default window when a range parameter is given', async () => {
      assert.deepEqual(await labels('received_from=0'), ['ping', 'other', 'old-mce', 'abort', 'segv', 'hello']);
      assert.deepEqual(await labels(`received_to=${new Date(now - 30 * DAY).toISOString()}`), ['old-mce']);
      assert.deepEqual(await labels(`created_to=${ts(30 * DAY)}`), ['old-mce']);
      assert.deepEqual(await labels(`created_from=${new Date(now - 3 * DAY).toISOString().slice(0, 10)}`), ['other', 'segv', 'hello']);
    });

    test('keeps an explicit created_in_days window with a range parameter, clamped to 30 days', async () => {
      assert.deepEqual(await labels('received_from=0&created_in_days=365'), ['ping', 'other', 'abort', 'segv', 'hello']);
    });

    test('bounds receive time by received_from (inclusive) and received_to (exclusive)', async () => {
      const from = at(10 * DAY).toISOString();
      assert.deepEqual(await labels(`received_from=${from}&received_to=${at(HOUR).toISOString()}`), ['abort', 'segv']);
      assert.deepEqual(await labels(`received_from=${Math.floor((now - 2 * DAY - HOUR) / 1000)}&received_to=${Math.floor((now - 2 * DAY + HOUR) / 1000)}`), ['segv']);
    });

    test('filters on client time: ts_capture strictly after, created_from inclusive, created_to exclusive', async () => {
      assert.deepEqual(await labels(`ts_capture=${ts(HOUR)}`), []);
      assert.deepEqual(await labels(`ts_capture=${ts(HOUR) - 1}`), ['hello']);
      assert.deepEqual(await labels(`created_from=${ts(HOUR)}`), ['hello']);
      assert.deepEqual(await labels(`created_to=${ts(HOUR)}&created_from=${ts(20 * HOUR)}`), ['other']);
    });

    test('includes from_id and excludes before_id', async () => {
      const abort = ids.get('abort') ?? 0;
      assert.deepEqual(await labels(`from_id=${abort}`), ['ping', 'other', 'abort']);
      assert.deepEqual(await labels(`before_id=${abort}`), ['segv', 'hello']);
      assert.deepEqual(await labels(`from_id=${abort}&before_id=${abort + 1}`), ['abort']);
    });

    test('takes the first value of a repeated parameter', async () => {
      assert.deepEqual(await labels('build=17780&build=17700'), ['abort', 'segv']);
    });

    test('ignores unknown parameters', async () => {
      assert.deepEqual(await labels('severity=1&colour=blue'), ['ping', 'hello']);
    });

    test('answers the record shape of the collector, newest first', async () => {
      const res = await server.inject({ url: '/api/records?machine_id=m4' });
      const [record] = res.json().records;
      assert.deepEqual(Object.keys(record), [
        'arch', 'bios_version', 'board_name', 'build', 'classification', 'cpu_model', 'event_id', 'external', 'id',
        'kernel_version', 'machine_id', 'machine_type', 'payload', 'payload_version', 'record_format_version',
        'record_version', 'severity', 'system_name', 'ts_capture', 'ts_reception',
      ]);
      assert.equal(record.id, ids.get('other'));
      assert.equal(record.payload, 'ünïcödé "quoted", comma');
      assert.equal(record.machine_type, 'h3');
      assert.match(record.ts_reception, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    });

    test('links the next page when the page is full', async () => {
      const res = await server.inject({ url: '/api/records?limit=2&severity_max=4' });
      const lastId = res.json().records[1].id;
      assert.equal(res.headers.link, `</api/records?limit=2&severity_max=4&before_id=${lastId}>; rel="next"`);
      const short = await server.inject({ url: '/api/records?limit=1000' });
      assert.equal(short.headers.link, undefined);
    });
  });

  describe(`GET /api/records validation (${target.name})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(target);
    });
    after(() => server.close());

    const cases: [string, string, string][] = [
      // reference §5.1 messages
      ['severity=5', 'severity', 'Severity should be a numeric value'],
      ['severity=0', 'severity', 'Severity should be a numeric value'],
      ['severity=one', 'severity', 'Severity should be a numeric value'],
      ['severity=', 'severity', 'Severity should be a numeric value'],
      ['severity=-1', 'severity', 'Severity should be a numeric value'],
      ['classification=a/b', 'classification', 'Classification value is invalid'],
      ['classification=a/b/c/d', 'classification', 'Classification value is invalid'],
      ['classification=', 'classification', 'Classification value is invalid'],
      ['build=caf%C3%A9', 'build', 'Build value is invalid'],
      [`build=${'1'.repeat(200)}`, 'build', 'Build value is invalid'],
      ['build=%07', 'build', 'Build value is invalid'],
      [`machine_id=${'m'.repeat(33)}`, 'machine_id', 'Machine id value is invalid'],
      ['created_in_days=1.5', 'created_in_days', 'Created (in days) value is invalid'],
      ['created_in_days=-1', 'created_in_days', 'Created (in days) value is invalid'],
      ['created_in_sec=10s', 'created_in_sec', 'Created (in seconds) value is invalid'],
      ['from_id=abc', 'from_id', 'Provided record id value is invalid'],
      [`from_id=${'9'.repeat(30)}`, 'from_id', 'Provided record id value is invalid'],
      ['ts_capture=yesterday', 'ts_capture', 'Time stamp from record capture'],
      ['limit=1001', 'limit', 'Record limit value is invalid'],
      ['limit=-1', 'limit', 'Record limit value is invalid'],
      ['limit=', 'limit', 'Record limit value is invalid'],
      ['limit=10.0', 'limit', 'Record limit value is invalid'],
      // extensions
      ['severity_min=9', 'severity_min', 'Minimum severity value is invalid'],
      ['severity_max=x', 'severity_max', 'Maximum severity value is invalid'],
      ['data_source=both', 'data_source', 'Data source value is invalid'],
      ['received_from=tomorrow', 'received_from', 'Received-from value is invalid'],
      ['received_to=2024-02-30', 'received_to', 'Received-to value is invalid'],
      ['created_from=2024-13-01', 'created_from', 'Created-from value is invalid'],
      ['created_to=12:00', 'created_to', 'Created-to value is invalid'],
      ['before_id=-5', 'before_id', 'before_id value is invalid'],
      [`system_name=${'s'.repeat(1025)}`, 'system_name', 'System name value is invalid'],
      ['arch=x%00', 'arch', 'Architecture value is invalid'],
      ['host_type=%00', 'host_type', 'Host type value is invalid'],
      ['machine_id=m%00', 'machine_id', 'Machine id value is invalid'],
      ['classification=a/b/c%00', 'classification', 'Classification value is invalid'],
      ['payload=(', 'payload', 'payload is not a valid regular expression'],
      ['not_payload=[z-a]', 'not_payload', 'not_payload is not a valid regular expression'],
      ['payload=(((a{1,100}){1,100}){1,100})$', 'payload', 'payload is not a valid regular expression'],
    ];
    for (const [query, field, message] of cases) {
      test(`answers 400 "${message}" naming ${field} for ?${query.slice(0, 40)}`, async () => {
        const res = await server.inject({ url: `/api/records?${query}` });
        assert.equal(res.statusCode, 400, res.body);
        const body = res.json();
        assert.equal(body.message, message);
        assert.equal(body.code, 'QUERY_PARAM_INVALID');
        assert.equal(body.details[0].field, field);
        assert.equal(typeof body.details[0].message, 'string');
        assert.equal(body.requestId, res.headers['x-request-id']);
      });
    }

    test('names every invalid parameter in details, the first one in the message', async () => {
      const res = await server.inject({ url: '/api/records?severity=9&limit=5000&data_source=x' });
      assert.equal(res.json().message, 'Severity should be a numeric value');
      assert.deepEqual(res.json().details.map((d: { field: string }) => d.field), ['severity', 'data_source']);
    });

    test('accepts the limits the reference rejected as strings (§15 item 3)', async () => {
      for (const limit of ['5', '50', '999', '1000', '0001']) {
        assert.equal((await server.inject({ url: `/api/records?limit=${limit}` })).statusCode, 200, limit);
      }
    });
  });
}
