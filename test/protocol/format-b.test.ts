import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeFormatB, FORMAT_B_BODY_MESSAGE } from '../../src/protocol/format-b.ts';
import type { RawFields } from '../../src/protocol/record.ts';
import { validateRecord, VALIDATION_MESSAGES } from '../../src/protocol/rules.ts';
import { parseWithNodeHttp, readHttpFixture } from './http-fixture.ts';
import { DEFAULT_TID, FORMAT_B_CAPTURE_RECORD } from './reference-records.ts';

const OPTIONS = { acceptedTids: [DEFAULT_TID] };
const TID_HEADERS = { 'x-telemetry-tid': DEFAULT_TID };

const WIRE_RECORD = FORMAT_B_CAPTURE_RECORD;

/** The fields of the wire-protocol §4.1 body, as a JSON object to vary. */
function buildBody(): Record<string, unknown> {
  const { body } = readHttpFixture('format-b-v4-wire.http');
  return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
}

function decode(body: unknown, headers: Record<string, string> = TID_HEADERS) {
  return decodeFormatB(headers, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
}

function decodeOk(body: unknown, headers?: Record<string, string>): RawFields {
  const result = decode(body, headers);
  if (!result.ok) assert.fail(`expected ok, got ${result.message}`);
  return result.value;
}

describe('decodeFormatB', () => {
  test('decodes the exact client v2.4.3-rc1 request of wire-protocol §4.1 into the stored fields', () => {
    const request = readHttpFixture('format-b-v4-wire.http');
    assert.equal(request.body.length, 507);
    const decoded = decodeFormatB(request.headers, request.body);
    assert.ok(decoded.ok);
    assert.equal(decoded.value.build, '"12"');
    assert.deepEqual(validateRecord(decoded.value, OPTIONS), { ok: true, value: WIRE_RECORD });
  });

  test('decodes the same request as parsed by Node', async () => {
    const { headers, body } = await parseWithNodeHttp('format-b-v4-wire.http');
    const decoded = decodeFormatB(headers, body);
    assert.ok(decoded.ok);
    assert.deepEqual(validateRecord(decoded.value, OPTIONS), { ok: true, value: WIRE_RECORD });
  });

  for (const [name, body] of [
    ['empty', ''],
    ['not JSON', 'line one\n'],
    ['an array', '[{"severity":"3"}]'],
    ['null', 'null'],
    ['a string', '"payload"'],
    ['a number', '4'],
    ['truncated', '{"severity":"3"'],
  ] as const) {
    test(`answers BODY_INVALID when the body is ${name}`, () => {
      assert.deepEqual(decode(body), { ok: false, code: 'BODY_INVALID', message: FORMAT_B_BODY_MESSAGE });
    });
  }

  test('answers BODY_INVALID for a format A body posted as format B', () => {
    const request = readHttpFixture('format-a-v4-wire.http');
    const result = decodeFormatB(request.headers, request.body);
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.code, 'BODY_INVALID');
  });

  test('matches keys like header names, case-insensitive with _ equal to -', () => {
    const fields = decodeOk({ 'Machine-Id': 'a', SEVERITY: '2', 'record-format-version': '4', Payload: 'p' });
    assert.equal(fields['machine-id'], 'a');
    assert.equal(fields.severity, '2');
    assert.equal(fields['record-format-version'], '4');
    assert.equal(fields.payload, 'p');
  });

  test('takes the first spelling in the object when a field comes under two spellings', () => {
    assert.equal(decodeOk({ machine_id: 'first', 'Machine-Id': 'second' })['machine-id'], 'first');
  });

  test('converts numbers to text', () => {
    const fields = decodeOk({ ...buildBody(), severity: 3, creation_timestamp: 1795804380, record_format_version: 4 });
    assert.equal(fields.severity, '3');
    const result = validateRecord(fields, OPTIONS);
    assert.ok(result.ok);
    assert.equal(result.value.timestampClient, 1795804380);
  });

  test('treats null as not sent', () => {
    const fields = decodeOk({ ...buildBody(), cpu_model: null, payload: null });
    assert.equal('cpu-model' in fields, false);
    assert.equal(fields.payload, '');
    assert.deepEqual(validateRecord(fields, OPTIONS), {
      ok: false,
      code: 'INGEST_FIELD_INVALID',
      message: 'Record-Format-Version headers are invalid, Cpu-Model missing',
      field: 'Cpu-Model',
    });
  });

  for (const [name, value, text] of [
    ['a boolean', true, 'a boolean'],
    ['an object', { a: 1 }, 'an object'],
    ['an array', ['3'], 'an array'],
  ] as const) {
    test(`answers BODY_INVALID naming the key when a field value is ${name}`, () => {
      assert.deepEqual(decode({ ...buildBody(), severity: value }), {
        ok: false,
        code: 'BODY_INVALID',
        message: `Body key "severity" must be a string, not ${text}`,
      });
    });
  }

  test('ignores unknown keys whatever their value', () => {
    assert.deepEqual(decodeOk({ extra: { deep: [1] }, other: true, severity: '1' }, {}), { severity: '1', payload: '' });
  });

  test('stores an empty payload when the payload key is missing', () => {
    const { payload: _payload, ...rest } = buildBody();
    assert.equal(decodeOk(rest).payload, '');
  });

  test('reads the TID and X-CLR-External from the headers only', () => {
    const body = { ...buildBody(), 'x-telemetry-tid': 'from-body', x_clr_external: 'true' };
    const fields = decodeOk(body, { 'X-Telemetry-TID': 'from-header' });
    assert.equal(fields['x-telemetry-tid'], 'from-header');
    assert.equal('x-clr-external' in fields, false);
    assert.equal(decodeOk(body, { 'x-clr-external': 'true' })['x-clr-external'], 'true');
  });

  test('ignores format A field headers', () => {
    const fields = decodeOk({ severity: '3' }, { severity: '4', arch: 'ppc', ...TID_HEADERS });
    assert.equal(fields.severity, '3');
    assert.equal(fields.arch, undefined);
  });

  test('decodes a body that is not valid UTF-8 as Latin-1 before parsing', () => {
    const bytes = Buffer.concat([Buffer.from('{"payload":"caf'), Buffer.from([0xe9]), Buffer.from('\\n"}')]);
    const result = decodeFormatB(TID_HEADERS, bytes);
    assert.ok(result.ok);
    assert.equal(result.value.payload, 'café\n');
  });

  test('lets validation reject a classification cut at its first space by the client', () => {
    const fields = decodeOk({ ...buildBody(), classification: 'bad' });
    const result = validateRecord(fields, OPTIONS);
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.message, VALIDATION_MESSAGES.classificationInvalid);
  });

  test('lets validation reject a NUL byte escaped in the JSON payload', () => {
    const result = validateRecord(decodeOk({ ...buildBody(), payload: 'a\u0000b' }), OPTIONS);
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.message, VALIDATION_MESSAGES.payloadNulByte);
  });

  test('never throws on random bytes and answers ok or BODY_INVALID', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        const result = decodeFormatB(TID_HEADERS, bytes);
        if (!result.ok) assert.equal(result.code, 'BODY_INVALID');
      }),
      { numRuns: 1000 },
    );
  });

  test('never throws on random JSON and validates to ok or a known code', () => {
    const key = fc.oneof(fc.string(), fc.constantFrom(...Object.keys(buildBody()), 'Machine-Id', '__proto__'));
    const object = fc.oneof(
      fc.dictionary(key, fc.jsonValue({ maxDepth: 2 })),
      fc.dictionary(key, fc.oneof(fc.string(), fc.integer())).map((extra) => ({ ...buildBody(), ...extra })),
    );
    fc.assert(
      fc.property(fc.oneof(object, fc.jsonValue()), (value) => {
        const result = decodeFormatB(TID_HEADERS, Buffer.from(JSON.stringify(value) ?? ''));
        if (!result.ok) return assert.equal(result.code, 'BODY_INVALID');
        const validated = validateRecord(result.value, OPTIONS);
        if (!validated.ok) assert.ok(['INGEST_TID_MISMATCH', 'INGEST_FIELD_INVALID'].includes(validated.code));
      }),
      { numRuns: 1000 },
    );
  });
});
