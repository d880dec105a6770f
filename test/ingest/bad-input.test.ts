// Malformed input on the collector routes over real HTTP: thousands of generated bad
// requests (fast-check) never get a 5xx and every one ends in exactly one counted
// outcome; plus the explicit edge cases (NUL bytes, oversized headers and bodies,
// duplicated headers, huge numbers, a version-1 record without System-Name).

import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { describe, test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { databaseTargets, type DatabaseTarget } from '../helpers/database.ts';
import { sendRawRequest, sendRequest, type HttpAnswer, type RawAnswer } from '../helpers/http-requests.ts';
import { buildDistinctRecord, countStoredRecords, findStoredRecord } from '../helpers/ingest-records.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import {
  buildRecordUnderscoreNames,
  buildRecordV1,
  buildRecordV2,
  buildRecordV3,
  buildRecordV4,
  DEFAULT_TID,
  type Headers,
} from '../protocol/reference-records.ts';

const HTTP_RUNS = 4000;
const RAW_RUNS = 400;
const INGEST_CODES = ['INGEST_FIELD_INVALID', 'INGEST_TID_MISMATCH', 'BODY_INVALID'];

async function useServer(t: TestContext, target: DatabaseTarget, flags: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer(target, flags);
  t.after(() => server.close());
  return server;
}

function portOf(server: TestServer): number {
  return Number(new URL(server.baseUrl).port);
}

async function assertHealthy(server: TestServer): Promise<void> {
  const res = await sendRequest(server.baseUrl, { method: 'GET', path: '/healthz' });
  assert.equal(res.status, 200);
  assert.equal(res.json().status, 'ok');
}

function assertErrorBody(res: HttpAnswer | RawAnswer, status: number, code: string, message?: string): void {
  assert.equal(res.status, status, res.text);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  assert.equal(res.json().code, code);
  if (message !== undefined) assert.equal(res.json().message, message);
}

// ---- generators -------------------------------------------------------------

const FIELD_HEADERS = [
  'record_format_version', 'classification', 'severity', 'machine_id', 'creation_timestamp', 'arch', 'host_type', 'build',
  'kernel_version', 'payload_format_version', 'system_name', 'board_name', 'cpu_model', 'bios_version', 'event_id',
  'X-Telemetry-TID', 'X-CLR-External',
];
const INTERESTING_VALUES = [
  '', ' ', '0', '00', '-0', '-1', '+1', '1_0', '1__0', ' 1 ', '1', '2', '3', '4', '04', '5', '1.5', '1e3', '0x10', 'NaN', 'Infinity',
  '²', '١', '99999999999999999999', '-99999999999999999999', '2147483647', '2147483646', '-2147483648', '-2147483649',
  '9007199254740993', '999999999999999', '9999999999999999', 'true', 'TRUE', 'a/b/c', '//', 'a/b', 'a/b/c/d', '3.16.generic', '5.4',
  'x86_64', 'X86_64', 'clear-linux-os', '"12"', "'12'", '"', 'N/A', DEFAULT_TID, 'ffffffffffffffffffffffffffffffff',
  'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF', 'a'.repeat(32), 'a'.repeat(33), 'é', '\t', '%00', '\\u0000', 'null',
];
const TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~".split('');
// Headers that change how HTTP frames or routes the request: the generator leaves them alone.
const RESERVED_NAMES = new Set(['content-length', 'transfer-encoding', 'host', 'connection', 'expect', 'upgrade', 'te', 'trailer', 'keep-alive', 'content-type', 'proxy-connection']);

/** Node's client sends header values as Latin-1 and refuses control characters: send text as UTF-8 bytes. */
function toHeaderValue(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1').replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');
}

function spellings(name: string): string[] {
  const hyphenated = name.replaceAll('_', '-');
  const title = hyphenated.split('-').map((p) => (p[0] ?? '').toUpperCase() + p.slice(1)).join('-');
  return [name, name.toUpperCase(), hyphenated, title];
}

const fieldNameArb = fc.constantFrom(...FIELD_HEADERS).chain((name) => fc.constantFrom(...spellings(name)));
const textArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...INTERESTING_VALUES) },
  { weight: 2, arbitrary: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 190, maxLength: 1200 }) },
);
const headerValueArb = textArb.map(toHeaderValue);
const extraNameArb = fc
  .string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 24 })
  .filter((name) => !RESERVED_NAMES.has(name.toLowerCase()));
const contentTypeArb = fc.option(
  fc.oneof(
    { weight: 5, arbitrary: fc.constant('application/text') },
    fc.constantFrom(
      'application/text', 'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/vnd.x+json',
      'text/plain', 'application/octet-stream', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '',
      'application/json;', ';', 'json', 'text/*', '*/*',
    ),
    fc.string({ unit: 'grapheme', maxLength: 30 }).map(toHeaderValue),
  ),
  { nil: undefined },
);
/** Often nothing: most generated records keep enough of their shape to reach the deeper rules. */
function sometimes<T>(arb: fc.Arbitrary<T[]>): fc.Arbitrary<T[]> {
  return fc.oneof({ weight: 2, arbitrary: fc.constant<T[]>([]) }, { weight: 1, arbitrary: arb });
}
const INVALID_UTF8 = [[0xff], [0xfe, 0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]];
const bodyArb = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.constant(new Uint8Array()),
  fc.string({ unit: 'grapheme', maxLength: 200 }).map((s) => new Uint8Array(Buffer.from(s))),
  fc.string({ unit: 'binary', maxLength: 100 }).map((s) => new Uint8Array(Buffer.from(s))),
  fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom(...INVALID_UTF8)).map(([s, bad]) => new Uint8Array([...Buffer.from(s), ...bad, 0x0a])),
  fc.json().map((s) => new Uint8Array(Buffer.from(s))),
);
const pathArb = fc.constantFrom('/', '/v2/collector', '/v3/collector', '/v2/collector?x=1');

function baseHeaders(kind: string): Headers {
  const eventId = buildDistinctRecord().headers['Event-Id'] ?? '';
  switch (kind) {
    case 'v1':
      return { ...buildRecordV1(), 'X-Telemetry-TID': DEFAULT_TID };
    case 'v2':
      return buildRecordV2();
    case 'v3':
      return buildRecordV3();
    case 'underscore':
      return buildRecordUnderscoreNames();
    case 'none':
      return {};
    default:
      return { ...buildRecordV4(), 'Event-Id': eventId };
  }
}

interface GeneratedRequest {
  path: string;
  headers: Record<string, string | string[]>;
  body: Uint8Array;
}

/** Shows a counterexample's body as text rather than a byte array. */
function described(request: GeneratedRequest): GeneratedRequest {
  const text = () => JSON.stringify({ ...request, body: Buffer.from(request.body).toString('latin1') });
  return Object.assign(request, { [fc.toStringMethod]: text });
}

/** Format A: a reference record with headers removed, replaced, repeated or added. */
const formatAArb: fc.Arbitrary<GeneratedRequest> = fc
  .record({
    kind: fc.constantFrom('v1', 'v2', 'v3', 'v4', 'underscore', 'none'),
    removals: sometimes(fc.subarray(FIELD_HEADERS.concat(['X-Telemetry-Tid', 'System-Name', 'Payload-Format-Version', 'Board-Name', 'Cpu-Model', 'Bios-Version', 'Event-Id']), { maxLength: 3 })),
    overrides: sometimes(fc.array(fc.tuple(fieldNameArb, headerValueArb), { minLength: 1, maxLength: 4 })),
    repeats: sometimes(fc.array(fc.tuple(fieldNameArb, fc.array(headerValueArb, { minLength: 2, maxLength: 3 })), { minLength: 1, maxLength: 2 })),
    extras: sometimes(fc.array(fc.tuple(extraNameArb, headerValueArb), { minLength: 1, maxLength: 3 })),
    contentType: contentTypeArb.filter((ct) => ct === undefined || !/json/i.test(ct)),
    path: pathArb,
    body: fc.oneof(bodyArb, fc.string({ unit: 'grapheme-ascii', maxLength: 100 }).map((text) => new Uint8Array(Buffer.from(text)))),
  })
  .map(({ kind, removals, overrides, repeats, extras, contentType, path, body }) => {
    const headers: Record<string, string | string[]> = baseHeaders(kind);
    for (const name of removals) delete headers[name];
    for (const [name, value] of [...overrides, ...extras]) headers[name] = value;
    for (const [name, values] of repeats) headers[name] = values;
    if (contentType !== undefined) headers['Content-Type'] = contentType;
    return described({ path, headers, body });
  });

const jsonFieldValueArb = fc.oneof(
  { weight: 4, arbitrary: textArb },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** Format B: the capture's JSON object with keys removed, replaced or added, or other JSON. */
const formatBArb: fc.Arbitrary<GeneratedRequest> = fc
  .record({
    object: fc.record({
      removals: sometimes(fc.subarray(FIELD_HEADERS.slice(0, 15).concat(['payload']), { maxLength: 3 })),
      overrides: sometimes(fc.array(fc.tuple(fc.oneof(fieldNameArb, fc.constantFrom('payload', 'PAYLOAD', '__proto__', 'constructor')), jsonFieldValueArb), { minLength: 1, maxLength: 4 })),
      extras: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    }),
    otherJson: fc.option(fc.oneof(fc.json(), fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null')), { freq: 4, nil: undefined }),
    tid: fc.option(fc.oneof(fc.constant(DEFAULT_TID), headerValueArb), { freq: 5, nil: undefined }),
    external: fc.option(headerValueArb, { freq: 3, nil: undefined }),
    contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/problem+json'),
    path: pathArb,
  })
  .map(({ object, otherJson, tid, external, contentType, path }) => {
    const record: Record<string, unknown> = {
      record_format_version: '4', classification: 'org.example/acceptance/wire', severity: '3', machine_id: 'dd8f72bae8f7d240fc580766a1852393',
      creation_timestamp: '1795804380', arch: 'x86_64', host_type: 'no_sv_file|no_pn_file|no_pvr_file', build: '"12"',
      kernel_version: '6.18.44-fc-v669', payload_format_version: '1', system_name: 'debian', board_name: 'no_bn_file|no_bv_file',
      cpu_model: 'AMD', bios_version: 'no_bv_file', event_id: buildDistinctRecord().headers['Event-Id'], payload: 'line one\n',
    };
    for (const key of object.removals) delete record[key];
    for (const [key, value] of object.overrides) Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
    for (const [key, value] of Object.entries(object.extras)) Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
    const text = otherJson ?? JSON.stringify(record);
    const headers: Record<string, string> = { 'Content-Type': contentType, 'X-Telemetry-TID': tid ?? DEFAULT_TID };
    if (tid === undefined && text.length % 7 === 0) delete headers['X-Telemetry-TID'];
    if (external !== undefined) headers['X-CLR-External'] = external;
    return described({ path, headers, body: new Uint8Array(Buffer.from(text)) });
  });

/** Anything: random header names and values, random content type, random bytes. */
const garbageArb: fc.Arbitrary<GeneratedRequest> = fc
  .record({
    headers: fc.array(fc.tuple(fc.oneof(extraNameArb, fieldNameArb), headerValueArb), { maxLength: 20 }),
    contentType: contentTypeArb,
    path: pathArb,
    body: bodyArb,
  })
  .map(({ headers, contentType, path, body }) => {
    const map: Record<string, string> = Object.fromEntries(headers);
    if (contentType !== undefined) map['Content-Type'] = contentType;
    return described({ path, headers: map, body });
  });

const requestArb = fc.oneof({ weight: 5, arbitrary: formatAArb }, { weight: 3, arbitrary: formatBArb }, { weight: 2, arbitrary: garbageArb });

/** Raw header lines Node's client refuses to send: NUL, control bytes, bad names, folding, smuggling, odd Expects. */
const rawLineArb = fc.oneof(
  fc.constantFrom(
    'machine_id: ab\0cd', 'severity: \0', 'X-N\0ul: 1', 'severity : 2', 'severity\t: 2', ': empty-name', 'no colon here',
    'classification: a/b/c\r\n folded/continuation', 'cpu_model: \x7f', 'cpu_model: \x01\x02', 'build: \x1b[31m', 'arch: x86_64\rsmuggled: 1',
    'Content-Length: 0', 'Content-Length: 5', 'Content-Length: -1', 'Content-Length: 1e3', 'Content-Length: 99999999999999999999',
    'Transfer-Encoding: chunked', 'Transfer-Encoding: gzip', 'Host: second.example', 'Expect: 100-continue', 'Expect: 200-ok', 'Expect: ',
    'Connection: upgrade', 'Upgrade: websocket', `${'x'.repeat(20_000)}: 1`, `x-long: ${'y'.repeat(20_000)}`,
    'Content-Type: application/json\0', 'X-Telemetry-TID: \xff\xfe', 'system_name: cl\xe9ar',
  ),
  fc
    .tuple(fc.uint8Array({ minLength: 0, maxLength: 24 }), fc.uint8Array({ maxLength: 60 }))
    .map(([name, value]) => `${Buffer.from(name).toString('latin1')}: ${Buffer.from(value).toString('latin1')}`.replace(/[\r\n]/g, ' ')),
);

function buildRawRequest(path: string, lines: string[], body: Uint8Array, options: { version?: string; host?: boolean } = {}): Buffer {
  const record = buildDistinctRecord('raw');
  const head = [
    `POST ${path} HTTP/${options.version ?? '1.1'}`,
    ...(options.host === false ? [] : ['Host: 127.0.0.1']),
    ...Object.entries(record.headers).map(([name, value]) => `${name}: ${value}`),
    ...lines,
    `Content-Length: ${body.length}`,
  ];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

// ---- tests ------------------------------------------------------------------

for (const target of databaseTargets()) {
  describe(`collector routes with generated bad input (${target.name})`, () => {
    test(`answers ${HTTP_RUNS} generated, mostly malformed requests below 500 and counts each outcome once`, async (t) => {
      const server = await useServer(t, target);
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      t.after(() => agent.destroy());
      const tally = { created: 0, rejected: 0, refused: 0 };
      await fc.assert(
        fc.asyncProperty(requestArb, async ({ path, headers, body }) => {
          const res = await sendRequest(server.baseUrl, { path, headers, body, agent });
          assert.ok(res.status < 500, `${res.status} ${res.text}`);
          if (res.status === 201) {
            tally.created++;
            const id = res.json().id;
            assert.ok(Number.isSafeInteger(id) && (id as number) > 0, res.text);
            return;
          }
          const error = res.json();
          assert.equal(typeof error.message, 'string');
          assert.ok((error.message as string).length > 0);
          // Refused before the collector sees a record: a header block over Node's 16 KiB.
          // (A Content-Type that is no media type at all is not refused: the reference never checks it.)
          if (res.status === 431) {
            tally.refused++;
            assert.equal(error.code, 'HEADERS_TOO_LARGE');
            return;
          }
          assert.equal(res.status, 400, res.text);
          tally.rejected++;
          assert.ok(INGEST_CODES.includes(String(error.code)), res.text);
          assert.equal(error.requestId, res.headers['x-request-id']);
        }),
        { numRuns: HTTP_RUNS },
      );
      await assertHealthy(server);
      assert.ok(tally.created > 100 && tally.rejected > 1000, `too one-sided to test much: ${JSON.stringify(tally)}`);
      t.diagnostic(JSON.stringify(tally));
      const metrics = (await sendRequest(server.baseUrl, { method: 'GET', path: '/metrics' })).text;
      const sum = (outcome: string) =>
        metrics
          .split('\n')
          .filter((line) => line.startsWith(`telemetrics_ingest_records_total{outcome="${outcome}"`))
          .reduce((total, line) => total + Number(line.split(' ').pop()), 0);
      // Every request reaching the collector ends in exactly one counted outcome (STYLE §1.8).
      assert.equal(sum('stored') + sum('duplicate'), tally.created);
      assert.equal(sum('rejected'), tally.rejected);
      assert.equal(sum('quarantined') + sum('unavailable'), 0);
      assert.equal(await countStoredRecords(server.db.pool), sum('stored'));
    });

    test(`answers ${RAW_RUNS} byte-level malformed requests below 500 with a JSON body`, async (t) => {
      const server = await useServer(t, target);
      const port = portOf(server);
      await fc.assert(
        fc.asyncProperty(pathArb, fc.array(rawLineArb, { minLength: 1, maxLength: 4 }), bodyArb, async (path, lines, body) => {
          const res = await sendRawRequest(port, buildRawRequest(path, lines, body), 5_000);
          assert.ok(res.status >= 200 && res.status < 500, `${res.status} ${JSON.stringify(res.text)}`);
          if (res.status >= 400) {
            assert.match(String(res.headers['content-type']), /^application\/json/, `${res.status} ${res.text}`);
            assert.equal(typeof res.json().code, 'string');
          }
        }),
        { numRuns: RAW_RUNS },
      );
      await assertHealthy(server);
    });
  });

  describe(`collector routes with bad input: explicit cases (${target.name})`, () => {
    test('stores a v1 record without System-Name as system_name N/A', async (t) => {
      const server = await useServer(t, target);
      const headers = { ...buildRecordV1(), 'X-Telemetry-TID': DEFAULT_TID };
      const res = await sendRequest(server.baseUrl, { path: '/v2/collector', headers, body: 'v1\n' });
      assert.equal(res.status, 201, res.text);
      const row = await findStoredRecord(server.db.pool, res.json().id);
      assert.equal(row?.system_name, 'N/A');
      assert.equal(row?.payload_version, 1);
      assert.equal(row?.record_version, 1);
      assert.equal(row?.board_name, 'N/A');
      assert.equal(row?.event_id, 'N/A');
    });

    test('answers 400 when a format A payload contains a NUL byte', async (t) => {
      const server = await useServer(t, target);
      const record = buildDistinctRecord();
      const res = await sendRequest(server.baseUrl, { path: '/v2/collector', headers: record.headers, body: Buffer.from('before\0after\n') });
      assertErrorBody(res, 400, 'INGEST_FIELD_INVALID', 'payload contains a NUL byte');
      assert.deepEqual(res.json().details, [{ field: 'payload', message: 'payload contains a NUL byte' }]);
      assert.equal(await countStoredRecords(server.db.pool), 0);
    });

    test('answers 400 when a format B payload or field contains U+0000', async (t) => {
      const server = await useServer(t, target);
      const headers = { 'X-Telemetry-TID': DEFAULT_TID, 'Content-Type': 'application/json' };
      const fields = { record_format_version: '2', classification: 'a/b/c', severity: '1', machine_id: 'm', creation_timestamp: '1', arch: 'x86_64', host_type: 'h', build: '1', kernel_version: '1.2.3', payload_format_version: '1', system_name: 's' };
      const payload = await sendRequest(server.baseUrl, { path: '/v3/collector', headers, body: JSON.stringify({ ...fields, payload: 'a\u0000b' }) });
      assertErrorBody(payload, 400, 'INGEST_FIELD_INVALID', 'payload contains a NUL byte');
      const machineId = await sendRequest(server.baseUrl, { path: '/v3/collector', headers, body: JSON.stringify({ ...fields, machine_id: 'm\u0000', payload: 'x' }) });
      assertErrorBody(machineId, 400, 'INGEST_FIELD_INVALID', 'Machine-Id contains a NUL byte');
      assert.equal(await countStoredRecords(server.db.pool), 0);
    });

    test('answers 400 JSON when a header value holds a NUL byte (raw bytes)', async (t) => {
      const server = await useServer(t, target);
      const res = await sendRawRequest(portOf(server), buildRawRequest('/v2/collector', ['cpu_model: AMD\0EPYC'], Buffer.from('nul\n')));
      assertErrorBody(res, 400, 'BODY_INVALID', 'Malformed HTTP request');
      assert.equal(await countStoredRecords(server.db.pool), 0);
      await assertHealthy(server);
    });

    test('answers 400 JSON to an HTTP/1.1 request without Host, and stores an HTTP/1.0 one', async (t) => {
      const server = await useServer(t, target);
      const missing = await sendRawRequest(portOf(server), buildRawRequest('/v2/collector', [], Buffer.from('no host\n'), { host: false }));
      assertErrorBody(missing, 400, 'HOST_MISSING', 'The Host header is required');
      assert.equal(await countStoredRecords(server.db.pool), 0);
      const http10 = await sendRawRequest(portOf(server), buildRawRequest('/v2/collector', [], Buffer.from('http/1.0\n'), { version: '1.0', host: false }));
      assert.equal(http10.status, 201, http10.text);
      assert.equal(await countStoredRecords(server.db.pool), 1);
    });

    test('answers 417 JSON to an Expect other than 100-continue, and stays up', async (t) => {
      const server = await useServer(t, target);
      const res = await sendRawRequest(portOf(server), buildRawRequest('/v2/collector', ['Expect: 200-ok'], Buffer.from('expect\n')));
      assertErrorBody(res, 417, 'EXPECTATION_FAILED', 'Only Expect: 100-continue is supported');
      assert.equal(await countStoredRecords(server.db.pool), 0);
      await assertHealthy(server);
    });

    test('stores an invalid UTF-8 payload decoded as Latin-1', async (t) => {
      const server = await useServer(t, target);
      const record = buildDistinctRecord();
      const res = await sendRequest(server.baseUrl, { path: '/v2/collector', headers: record.headers, body: Buffer.from([0xff, 0xfe, 0x41, 0xe9, 0x0a]) });
      assert.equal(res.status, 201, res.text);
      assert.equal((await findStoredRecord(server.db.pool, res.json().id))?.payload, 'ÿþAé\n');
    });

    for (const [shape, lines] of [
      ['many header lines', Array.from({ length: 64 }, (_, i) => `X-Filler-${i}: ${'a'.repeat(65_536)}\r\n`)],
      ['one header line', [`X-Filler: ${'a'.repeat(4 * 1024 * 1024)}\r\n`]],
    ] as const) {
      test(`answers 431 JSON and stays up when megabytes of headers come in ${shape}`, async (t) => {
        const server = await useServer(t, target);
        const chunks = [Buffer.from('POST /v2/collector HTTP/1.1\r\nHost: 127.0.0.1\r\n'), ...lines.map((l) => Buffer.from(l)), Buffer.from('\r\n')];
        const res = await sendRawRequest(portOf(server), chunks);
        assertErrorBody(res, 431, 'HEADERS_TOO_LARGE', 'Request headers too large');
        await assertHealthy(server);
      });
    }

    test('answers 413 PAYLOAD_TOO_LARGE when the body is over ingest.bodyLimit', async (t) => {
      const server = await useServer(t, target, { 'ingest.bodyLimit': '65536' });
      const record = buildDistinctRecord();
      const res = await sendRequest(server.baseUrl, { path: '/v2/collector', headers: record.headers, body: Buffer.alloc(70_000, 'a') });
      assertErrorBody(res, 413, 'PAYLOAD_TOO_LARGE');
      const fits = await sendRequest(server.baseUrl, { path: '/v2/collector', headers: record.headers, body: Buffer.alloc(65_536, 'a') });
      assert.equal(fits.status, 201, fits.text);
      assert.equal(await countStoredRecords(server.db.pool), 1);
    });

    test('answers 413 PAYLOAD_TOO_LARGE when a chunked body grows over ingest.bodyLimit', async (t) => {
      const server = await useServer(t, target, { 'ingest.bodyLimit': '65536' });
      const record = buildDistinctRecord();
      const head = ['POST /v2/collector HTTP/1.1', 'Host: 127.0.0.1', ...Object.entries(record.headers).map(([n, v]) => `${n}: ${v}`), 'Transfer-Encoding: chunked'];
      const chunk = Buffer.concat([Buffer.from('2710\r\n'), Buffer.alloc(10_000, 'a'), Buffer.from('\r\n')]);
      const res = await sendRawRequest(portOf(server), [Buffer.from(`${head.join('\r\n')}\r\n\r\n`), ...Array.from({ length: 7 }, () => chunk), Buffer.from('0\r\n\r\n')]);
      assertErrorBody(res, 413, 'PAYLOAD_TOO_LARGE');
      assert.equal(await countStoredRecords(server.db.pool), 0);
    });

    test('answers 400 when a field header is repeated (Node joins the values)', async (t) => {
      const server = await useServer(t, target);
      const record = buildDistinctRecord();
      const severity = await sendRequest(server.baseUrl, { path: '/v2/collector', headers: { ...record.headers, severity: ['2', '2'] }, body: record.body });
      assertErrorBody(severity, 400, 'INGEST_FIELD_INVALID', 'severity value is out of range');
      const tid = await sendRequest(server.baseUrl, { path: '/v2/collector', headers: { ...record.headers, 'X-Telemetry-Tid': [DEFAULT_TID, DEFAULT_TID] }, body: record.body });
      assertErrorBody(tid, 400, 'INGEST_TID_MISMATCH', 'Telemetry ID mismatch');
      assert.equal(await countStoredRecords(server.db.pool), 0);
    });

    test('keeps the first spelling when one field arrives under two header names', async (t) => {
      const server = await useServer(t, target);
      const record = buildDistinctRecord();
      const { machine_id: _dropped, ...rest } = record.headers;
      const headers = { machine_id: 'first-spelling', ...rest, 'Machine-Id': 'second-spelling' };
      const res = await sendRequest(server.baseUrl, { path: '/v2/collector', headers, body: record.body });
      assert.equal(res.status, 201, res.text);
      assert.equal((await findStoredRecord(server.db.pool, res.json().id))?.machine_id, 'first-spelling');
    });

    test('answers 400 JSON when Content-Length is repeated with different values', async (t) => {
      const server = await useServer(t, target);
      const res = await sendRawRequest(portOf(server), buildRawRequest('/v2/collector', ['Content-Length: 3'], Buffer.from('abcd\n')));
      assertErrorBody(res, 400, 'BODY_INVALID');
      assert.equal(await countStoredRecords(server.db.pool), 0);
    });

    test('answers 400 when payload_format_version is outside the PostgreSQL integer range and stores it inside', async (t) => {
      const server = await useServer(t, target);
      for (const [value, message] of [
        ['99999999999999999999', 'Payload format version outside of range supported'],
        ['2147483647', 'Payload format version outside of range supported'],
        ['-2147483649', 'Payload format version outside of range supported'],
        ['x', "Error parsing payload_format_version, invalid literal for int() with base 10: 'x'"],
        ['2147483646', null],
        ['-5', null],
        [' 1_0 ', null],
      ] as const) {
        const record = buildDistinctRecord();
        const res = await sendRequest(server.baseUrl, { path: '/v2/collector', headers: { ...record.headers, 'Payload-Format-Version': value }, body: record.body });
        if (message === null) {
          assert.equal(res.status, 201, `${value}: ${res.text}`);
          assert.equal((await findStoredRecord(server.db.pool, res.json().id))?.payload_version, Number(value.trim().replaceAll('_', '')), value);
        } else {
          assertErrorBody(res, 400, 'INGEST_FIELD_INVALID', message);
        }
      }
    });

    test('answers 400 for a creation timestamp of 16 digits and stores one of 15', async (t) => {
      const server = await useServer(t, target);
      const record = buildDistinctRecord();
      const long = await sendRequest(server.baseUrl, { path: '/v2/collector', headers: { ...record.headers, creation_timestamp: '9'.repeat(16) }, body: record.body });
      assertErrorBody(long, 400, 'INGEST_FIELD_INVALID', 'timestamp is invalid');
      const longest = await sendRequest(server.baseUrl, { path: '/v2/collector', headers: { ...record.headers, creation_timestamp: '9'.repeat(15) }, body: record.body });
      assert.equal(longest.status, 201, longest.text);
      assert.equal((await findStoredRecord(server.db.pool, longest.json().id))?.timestamp_client, '9'.repeat(15));
    });
  });
}
