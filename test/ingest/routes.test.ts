// The collector routes over real HTTP against a real database: the reference acceptance
// cases (reference §14.2-§14.4), the two exact client captures, format selection by
// Content-Type, redirects, methods, TID options, quarantine and the outcome metrics.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, test, type TestContext } from 'node:test';
import { databaseTargets, type DatabaseTarget } from '../helpers/database.ts';
import { buildDistinctRecord, countStoredRecords, findStoredRecord } from '../helpers/ingest-records.ts';
import { sendRawRequest, sendRequest, type HttpAnswer } from '../helpers/http-requests.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { readFixtureBytes } from '../protocol/http-fixture.ts';
import {
  buildRecordUnderscoreNames,
  buildRecordV2,
  buildRecordV3,
  buildRecordV4,
  DEFAULT_TID,
  withoutHeader,
  type Headers,
} from '../protocol/reference-records.ts';

const FORMAT_B_BODY_MESSAGE = 'Body must be a JSON object with the record fields and "payload"';

async function useServer(t: TestContext, target: DatabaseTarget, flags: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer(target, flags);
  t.after(() => server.close());
  return server;
}

function post(server: TestServer, path: string, headers: Headers, body: string | Buffer): Promise<HttpAnswer> {
  return sendRequest(server.baseUrl, { path, headers, body });
}

function portOf(server: TestServer): number {
  return Number(new URL(server.baseUrl).port);
}

/** A fixture's bytes with its request line pointing at another path. */
function fixtureBytesFor(name: string, path: string): Buffer {
  const raw = readFixtureBytes(name);
  const lineEnd = raw.indexOf('\r\n');
  const [method, , version] = raw.subarray(0, lineEnd).toString('latin1').split(' ');
  return Buffer.concat([Buffer.from(`${method} ${path} ${version}`, 'latin1'), raw.subarray(lineEnd)]);
}

function assertRejected(res: HttpAnswer, message: string, field: string, code = 'INGEST_FIELD_INVALID'): void {
  assert.equal(res.status, 400, res.text);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = res.json();
  assert.equal(body.message, message);
  assert.equal(body.code, code);
  assert.deepEqual(body.details, [{ field, message }]);
  assert.equal(body.requestId, res.headers['x-request-id']);
}

for (const target of databaseTargets()) {
  describe(`POST / and /v2/collector: reference header tests (${target.name})`, () => {
    for (const path of ['/', '/v2/collector']) {
      test(`stores a v2 record and echoes its fields as integers when posted to ${path}`, async (t) => {
        const server = await useServer(t, target);
        const res = await post(server, path, buildRecordV2(), 'hello');
        assert.equal(res.status, 201, res.text);
        const body = res.json();
        assert.equal(body.classification, 'a/b/c');
        assert.equal(body.severity, 2);
        assert.equal(body.kernel_version, '3.16.4-123.generic');
        assert.equal(body.record_format_version, 2);
        assert.equal(body.machine_id, '1234');
        assert.equal(body.machine_type, 'LenovoT20');
        assert.equal(body.arch, 'x86_64');
        assert.equal(body.build, '550');
        assert.equal(body.payload, 'hello');
        assert.ok(Number.isInteger(body.id) && (body.id as number) > 0, `id ${String(body.id)}`);
        const row = await findStoredRecord(server.db.pool, body.id);
        assert.equal(row?.payload, 'hello');
        assert.equal(row?.severity, 2);
        assert.equal(row?.system_name, 'clear-linux-os');
        assert.equal(row?.board_name, 'N/A');
        assert.equal(row?.event_id, 'N/A');
      });
    }

    const v2Removals: [string, string, string][] = [
      ['severity', 'Record-Format-Version headers are invalid, Severity missing', 'Severity'],
      ['kernel_version', 'Record-Format-Version headers are invalid, Kernel-Version missing', 'Kernel-Version'],
      ['host_type', 'Record-Format-Version headers are invalid, Host-Type missing', 'Host-Type'],
      ['machine_id', 'Record-Format-Version headers are invalid, Machine-Id missing', 'Machine-Id'],
      ['arch', 'Record-Format-Version headers are invalid, Arch missing', 'Arch'],
      ['build', 'Record-Format-Version headers are invalid, Build missing', 'Build'],
      ['record_format_version', 'Record-Format-Version is invalid', 'Record-Format-Version'],
    ];
    for (const [header, message, field] of v2Removals) {
      test(`answers 400 when a v2 record lacks ${header}`, async (t) => {
        const server = await useServer(t, target);
        assertRejected(await post(server, '/', withoutHeader(buildRecordV2(), header), 'test'), message, field);
        assert.equal(await countStoredRecords(server.db.pool), 0);
      });
    }

    test('stores a full v3 record and echoes its fields', async (t) => {
      const server = await useServer(t, target);
      const res = await post(server, '/', buildRecordV3(), 'v3 payload');
      assert.equal(res.status, 201, res.text);
      const body = res.json();
      assert.equal(body.record_format_version, 3);
      assert.equal(body.severity, 2);
      assert.equal(body.board_name, 'D54250WYK|Intel Corporation');
      assert.equal(body.cpu_model, 'Intel(R) Core(TM) i5-4250U CPU @ 1.30GHz');
      assert.equal(body.bios_version, 'WYLPT10H.86A.0041.2015.0720.1108');
      assert.equal(body.event_id, 'N/A');
      const row = await findStoredRecord(server.db.pool, body.id);
      assert.equal(row?.record_version, 3);
      assert.equal(row?.cpu_model, 'Intel(R) Core(TM) i5-4250U CPU @ 1.30GHz');
    });

    test('answers 400 when v2 headers claim version 3', async (t) => {
      const server = await useServer(t, target);
      const res = await post(server, '/', { ...buildRecordV2(), record_format_version: '3' }, 'test');
      assertRejected(res, 'Record-Format-Version headers are invalid, Board-Name missing', 'Board-Name');
    });

    for (const header of ['Cpu-Model', 'Board-Name', 'Bios-Version']) {
      test(`answers 400 when a v3 record lacks ${header}`, async (t) => {
        const server = await useServer(t, target);
        const res = await post(server, '/', withoutHeader(buildRecordV3(), header), 'test');
        assertRejected(res, `Record-Format-Version headers are invalid, ${header} missing`, header);
      });
    }

    test('stores a full v4 record with its event id', async (t) => {
      const server = await useServer(t, target);
      const res = await post(server, '/v2/collector', buildRecordV4(), 'v4 payload');
      assert.equal(res.status, 201, res.text);
      assert.equal(res.json().record_format_version, 4);
      assert.equal(res.json().event_id, '39cc109a1079df96376693ebc7a0f632');
      const row = await findStoredRecord(server.db.pool, res.json().id);
      assert.equal(row?.event_id, '39cc109a1079df96376693ebc7a0f632');
    });

    test('answers 400 when a v4 record lacks Event-Id', async (t) => {
      const server = await useServer(t, target);
      const res = await post(server, '/v2/collector', withoutHeader(buildRecordV4(), 'Event-Id'), 'test');
      assertRejected(res, 'Record-Format-Version headers are invalid, Event-Id missing', 'Event-Id');
    });

    test('stores the underscore-names record (reference API test)', async (t) => {
      const server = await useServer(t, target);
      const res = await post(server, '/', buildRecordUnderscoreNames(), 'test');
      assert.equal(res.status, 201, res.text);
      const row = await findStoredRecord(server.db.pool, res.json().id);
      assert.equal(row?.machine_id, 'clr-linux-avj01');
      assert.equal(row?.severity, 1);
      assert.equal(row?.build, '17700');
      assert.equal(row?.host_type, 'blank|blank|blank');
      assert.equal(row?.payload, 'test');
    });

    test('stores a v3 record whose kernel version has two numeric components (3.16.generic)', async (t) => {
      const server = await useServer(t, target);
      const res = await post(server, '/', { ...buildRecordV3(), kernel_version: '3.16.generic' }, 'test');
      assert.equal(res.status, 201, res.text);
      assert.equal(res.json().kernel_version, '3.16.generic');
    });
  });

  describe(`collector routes: exact client captures (${target.name})`, () => {
    test('stores the format A capture with the quoted build cleaned and the full CPU model', async (t) => {
      const server = await useServer(t, target);
      const before = new Date();
      const res = await sendRawRequest(portOf(server), readFixtureBytes('format-a-v4-wire.http'));
      const after = new Date();
      assert.equal(res.status, 201, res.text);
      const row = await findStoredRecord(server.db.pool, res.json().id);
      assert.ok(row);
      assert.deepEqual({ ...row, id: undefined, received_at: undefined }, {
        id: undefined,
        received_at: undefined,
        machine_id: '1ae3c7427824c00c97bcbcfd91c2a4e2',
        host_type: 'no_sv_file|no_pn_file|no_pvr_file',
        severity: 3,
        classification: 'org.example/acceptance/wire',
        build: '12',
        architecture: 'x86_64',
        kernel_version: '6.18.44-fc-v669',
        record_version: 4,
        timestamp_client: '1795804383',
        payload_version: 1,
        system_name: 'debian',
        board_name: 'no_bn_file|no_bv_file',
        bios_version: 'no_bv_file',
        cpu_model: 'AMD EPYC',
        event_id: '0123456789abcdef0123456789abcdef',
        external: false,
        payload: 'line one\nline "two"\n',
      });
      assert.equal(row.id, String(res.json().id));
      assert.ok(row.received_at >= before && row.received_at <= after, `received_at ${row.received_at.toISOString()}`);
      assert.equal(res.json().ts_capture, '2026-11-27 18:33:03 UTC');
    });

    test('stores the format B capture with the CPU model cut at its first space', async (t) => {
      const server = await useServer(t, target);
      const before = new Date();
      const res = await sendRawRequest(portOf(server), readFixtureBytes('format-b-v4-wire.http'));
      const after = new Date();
      assert.equal(res.status, 201, res.text);
      const row = await findStoredRecord(server.db.pool, res.json().id);
      assert.ok(row);
      assert.equal(row.machine_id, 'dd8f72bae8f7d240fc580766a1852393');
      assert.equal(row.build, '12');
      assert.equal(row.cpu_model, 'AMD');
      assert.equal(row.timestamp_client, '1795804380');
      assert.equal(row.payload, 'line one\nline "two"\n');
      assert.equal(row.event_id, '0123456789abcdef0123456789abcdef');
      assert.equal(row.record_version, 4);
      assert.ok(row.received_at >= before && row.received_at <= after, `received_at ${row.received_at.toISOString()}`);
    });

    test('decodes format B posted to /v2/collector by its Content-Type', async (t) => {
      const server = await useServer(t, target);
      const res = await sendRawRequest(portOf(server), fixtureBytesFor('format-b-v4-wire.http', '/v2/collector'));
      assert.equal(res.status, 201, res.text);
      assert.equal(res.json().cpu_model, 'AMD');
      assert.equal(res.json().machine_id, 'dd8f72bae8f7d240fc580766a1852393');
    });

    test('decodes format A posted to /v3/collector by its Content-Type', async (t) => {
      const server = await useServer(t, target);
      const res = await sendRawRequest(portOf(server), fixtureBytesFor('format-a-v4-wire.http', '/v3/collector'));
      assert.equal(res.status, 201, res.text);
      assert.equal(res.json().cpu_model, 'AMD EPYC');
      assert.equal(res.json().payload, 'line one\nline "two"\n');
    });
  });

  describe(`collector routes: bodies and content types (${target.name})`, () => {
    test('answers 400 BODY_INVALID when a format B body is not a JSON object', async (t) => {
      const server = await useServer(t, target);
      for (const body of ['[]', '"text"', '42', 'null', '{"record_format_version":"4"', 'not json', '']) {
        const res = await post(server, '/v3/collector', { 'X-Telemetry-TID': DEFAULT_TID, 'Content-Type': 'application/json' }, body);
        assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
        assert.equal(res.json().code, 'BODY_INVALID', body);
        assert.equal(res.json().message, FORMAT_B_BODY_MESSAGE, body);
      }
      assert.equal(await countStoredRecords(server.db.pool), 0);
    });

    test('answers 400 BODY_INVALID naming the key when a format B value is not a string', async (t) => {
      const server = await useServer(t, target);
      const res = await post(server, '/v3/collector', { 'X-Telemetry-TID': DEFAULT_TID, 'Content-Type': 'application/json' }, '{"severity":true}');
      assert.equal(res.status, 400, res.text);
      assert.equal(res.json().code, 'BODY_INVALID');
      assert.equal(res.json().message, 'Body key "severity" must be a string, not a boolean');
    });

    for (const contentType of ['application/text', 'text/plain', 'application/octet-stream', 'application/x-www-form-urlencoded', 'text', 'a b; c', ';', null]) {
      test(`stores the format A body as received when Content-Type is ${contentType ?? 'absent'}`, async (t) => {
        const server = await useServer(t, target);
        const record = buildDistinctRecord('a=1&b=2');
        const headers = withoutHeader(record.headers, 'Content-Type');
        if (contentType) headers['Content-Type'] = contentType;
        const res = await post(server, '/v2/collector', headers, record.body);
        assert.equal(res.status, 201, res.text);
        assert.equal((await findStoredRecord(server.db.pool, res.json().id))?.payload, record.body);
      });
    }

    test('stores a record sent with Expect: 100-continue once the server asked for the body', async (t) => {
      const server = await useServer(t, target);
      const record = buildDistinctRecord('expect');
      const body = Buffer.from(record.body);
      const url = new URL(server.baseUrl);
      const { status, continued, text } = await new Promise<{ status: number; continued: boolean; text: string }>((resolve, reject) => {
        let continued = false;
        const req = request(
          { host: url.hostname, port: url.port, path: '/v2/collector', method: 'POST', agent: false, headers: { ...record.headers, Expect: '100-continue', 'Content-Length': String(body.length) } },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, continued, text }));
          },
        );
        req.on('continue', () => {
          continued = true;
          req.end(body);
        });
        req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
        req.on('error', reject);
        req.flushHeaders();
      });
      assert.equal(continued, true);
      assert.equal(status, 201, text);
      assert.equal(JSON.parse(text).payload, record.body);
    });
  });

  describe(`collector routes: other methods (${target.name})`, () => {
    test('redirects GET and HEAD on /v2/collector and /v3/collector to the UI with 302', async (t) => {
      const server = await useServer(t, target);
      for (const path of ['/v2/collector', '/v3/collector']) {
        for (const method of ['GET', 'HEAD']) {
          const res = await sendRequest(server.baseUrl, { method, path });
          assert.equal(res.status, 302, `${method} ${path}`);
          assert.equal(res.headers.location, '/', `${method} ${path}`);
        }
      }
    });

    test('answers PUT, DELETE, PATCH and OPTIONS on the collector paths with 405 and the JSON error body', async (t) => {
      const server = await useServer(t, target);
      for (const [method, path] of [['PUT', '/v2/collector'], ['DELETE', '/v3/collector'], ['PATCH', '/'], ['PUT', '/'], ['OPTIONS', '/v2/collector']] as const) {
        const res = await sendRequest(server.baseUrl, { method, path, body: 'x' });
        assert.equal(res.status, 405, `${method} ${path}`);
        assert.match(String(res.headers['content-type']), /^application\/json/);
        assert.equal(res.json().code, 'METHOD_NOT_ALLOWED');
        assert.equal(res.json().message, `Method not allowed on ${path}: POST a record, or GET the UI`);
        assert.equal(res.json().requestId, res.headers['x-request-id']);
      }
    });
  });

  describe(`collector routes: headers and options (${target.name})`, () => {
    test('stores external true only when X-CLR-External is exactly "true"', async (t) => {
      const server = await useServer(t, target);
      for (const [value, expected] of [['true', true], ['True', false], ['1', false]] as const) {
        const record = buildDistinctRecord(`external ${value}`);
        const res = await post(server, '/v2/collector', { ...record.headers, 'X-CLR-External': value }, record.body);
        assert.equal(res.status, 201, res.text);
        assert.equal(res.json().external, expected, value);
        assert.equal((await findStoredRecord(server.db.pool, res.json().id))?.external, expected, value);
      }
    });

    test('answers 400 INGEST_TID_MISMATCH when the TID is another one', async (t) => {
      const server = await useServer(t, target);
      const record = buildDistinctRecord();
      const res = await post(server, '/v2/collector', { ...record.headers, 'X-Telemetry-Tid': 'another-tid' }, record.body);
      assertRejected(res, 'Telemetry ID mismatch', 'X-Telemetry-Tid', 'INGEST_TID_MISMATCH');
    });

    test('answers 400 INGEST_TID_MISMATCH when a v1 record has no TID (checked first for every version)', async (t) => {
      const server = await useServer(t, target);
      const record = buildDistinctRecord();
      const headers = { ...withoutHeader(record.headers, 'X-Telemetry-Tid'), record_format_version: '1' };
      assertRejected(await post(server, '/', headers, record.body), 'Telemetry ID mismatch', 'X-Telemetry-Tid', 'INGEST_TID_MISMATCH');
    });

    test('accepts any TID when acceptedTids is *', async (t) => {
      const server = await useServer(t, target, { acceptedTids: '*' });
      for (const tid of ['another-tid', DEFAULT_TID, '']) {
        const record = buildDistinctRecord();
        const res = await post(server, '/v2/collector', { ...record.headers, 'X-Telemetry-Tid': tid }, record.body);
        assert.equal(res.status, 201, `${tid}: ${res.text}`);
      }
    });

    test('accepts an extra TID besides the configured one and refuses others', async (t) => {
      const server = await useServer(t, target, { acceptedTids: 'fleet-b, fleet-c' });
      for (const [tid, status] of [['fleet-b', 201], ['fleet-c', 201], [DEFAULT_TID, 201], ['fleet-d', 400]] as const) {
        const record = buildDistinctRecord();
        const res = await post(server, '/v2/collector', { ...record.headers, 'X-Telemetry-Tid': tid }, record.body);
        assert.equal(res.status, status, `${tid}: ${res.text}`);
      }
    });

    test('refuses the default TID when another tid is configured', async (t) => {
      const server = await useServer(t, target, { tid: 'my-own-tid' });
      const record = buildDistinctRecord();
      assert.equal((await post(server, '/v2/collector', { ...record.headers, 'X-Telemetry-Tid': 'my-own-tid' }, record.body)).status, 201);
      const other = buildDistinctRecord();
      assert.equal((await post(server, '/v2/collector', other.headers, other.body)).status, 400);
    });

    test('answers 201 and keeps the request in quarantined_records when the policy is quarantine', async (t) => {
      const server = await useServer(t, target, { 'ingest.invalidRecordPolicy': 'quarantine' });
      const record = buildDistinctRecord('bad severity');
      const res = await post(server, '/v2/collector', { ...record.headers, severity: '9' }, record.body);
      assert.equal(res.status, 201, res.text);
      const body = res.json();
      assert.equal(body.quarantined, true);
      assert.equal(body.code, 'INGEST_FIELD_INVALID');
      assert.equal(body.message, 'Record quarantined: severity value is out of range');
      const rows = await server.db.pool.query<{ id: string; code: string; message: string; path: string; headers: Record<string, string>; body: Buffer }>(
        'SELECT id, code, message, path, headers, body FROM quarantined_records',
      );
      assert.equal(rows.rows.length, 1);
      const row = rows.rows[0];
      assert.equal(row?.id, String(body.quarantineId));
      assert.equal(row?.code, 'INGEST_FIELD_INVALID');
      assert.equal(row?.message, 'severity value is out of range');
      assert.equal(row?.path, '/v2/collector');
      assert.equal(row?.headers.severity, '9');
      assert.equal(row?.headers['event-id'], record.headers['Event-Id']);
      assert.deepEqual(row?.body, Buffer.from(record.body));
      assert.equal(await countStoredRecords(server.db.pool), 0);
      const metrics = await sendRequest(server.baseUrl, { method: 'GET', path: '/metrics' });
      assert.match(metrics.text, /^telemetrics_ingest_records_total\{outcome="quarantined",code="INGEST_FIELD_INVALID",reason="severity value is out of range"\} 1$/m);
    });

    test('counts each outcome in telemetrics_ingest_records_total', async (t) => {
      const server = await useServer(t, target);
      const record = buildDistinctRecord();
      assert.equal((await post(server, '/v2/collector', record.headers, record.body)).status, 201);
      assert.equal((await post(server, '/v2/collector', record.headers, record.body)).status, 201);
      assert.equal((await post(server, '/v2/collector', { ...record.headers, severity: '0' }, record.body)).status, 400);
      assert.equal((await post(server, '/v2/collector', { ...record.headers, 'Payload-Format-Version': 'x' }, record.body)).status, 400);
      assert.equal((await post(server, '/v2/collector', { ...record.headers, 'X-Telemetry-Tid': 'x' }, record.body)).status, 400);
      const metrics = await sendRequest(server.baseUrl, { method: 'GET', path: '/metrics' });
      assert.equal(metrics.status, 200);
      const lines = metrics.text.split('\n').filter((l) => l.startsWith('telemetrics_ingest_records_total{'));
      assert.deepEqual(lines.sort(), [
        'telemetrics_ingest_records_total{outcome="duplicate",code="",reason=""} 1',
        'telemetrics_ingest_records_total{outcome="rejected",code="INGEST_FIELD_INVALID",reason="Error parsing payload_format_version"} 1',
        'telemetrics_ingest_records_total{outcome="rejected",code="INGEST_FIELD_INVALID",reason="severity value is out of range"} 1',
        'telemetrics_ingest_records_total{outcome="rejected",code="INGEST_TID_MISMATCH",reason="Telemetry ID mismatch"} 1',
        'telemetrics_ingest_records_total{outcome="stored",code="",reason=""} 1',
      ]);
    });
  });
}
