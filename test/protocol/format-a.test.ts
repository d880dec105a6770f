import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeFormatA } from '../../src/protocol/format-a.ts';
import { validateRecord, VALIDATION_MESSAGES } from '../../src/protocol/rules.ts';
import { parseWithNodeHttp, readHttpFixture } from './http-fixture.ts';
import { DEFAULT_TID, FORMAT_A_CAPTURE_RECORD, buildRecordV4 } from './reference-records.ts';

const OPTIONS = { acceptedTids: [DEFAULT_TID] };

const WIRE_RECORD = FORMAT_A_CAPTURE_RECORD;

describe('decodeFormatA', () => {
  test('decodes the exact client v2.3.5 request of wire-protocol §3.1 into the stored fields', () => {
    const request = readHttpFixture('format-a-v4-wire.http');
    assert.equal(request.path, '/v2/collector');
    const fields = decodeFormatA(request.headers, request.body);
    assert.equal(fields.build, '"12"');
    assert.equal(fields['x-telemetry-tid'], DEFAULT_TID);
    assert.deepEqual(validateRecord(fields, OPTIONS), { ok: true, value: WIRE_RECORD });
  });

  test('decodes the same request as parsed by Node, underscore headers included', async () => {
    const { headers, body } = await parseWithNodeHttp('format-a-v4-wire.http');
    assert.equal(headers['record_format_version'], '4');
    assert.deepEqual(validateRecord(decodeFormatA(headers, body), OPTIONS), { ok: true, value: WIRE_RECORD });
  });

  test('keeps the body bytes as received, trailing newline included', () => {
    const request = readHttpFixture('format-a-v4-wire.http');
    assert.equal(request.body.length, 20);
    assert.equal(decodeFormatA(request.headers, request.body).payload, 'line one\nline "two"\n');
  });

  test('answers Record-Format-Version is invalid for a format B request, as the reference does', () => {
    const request = readHttpFixture('format-b-v4-wire.http');
    const result = validateRecord(decodeFormatA(request.headers, request.body), OPTIONS);
    assert.deepEqual(result, {
      ok: false,
      code: 'INGEST_FIELD_INVALID',
      message: VALIDATION_MESSAGES.recordFormatVersionInvalid,
      field: 'Record-Format-Version',
    });
  });

  test('falls back to Latin-1 when the body is not valid UTF-8', () => {
    const fields = decodeFormatA(buildRecordV4(), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    assert.equal(fields.payload, 'café\n');
  });

  test('decodes UTF-8 bodies as UTF-8', () => {
    assert.equal(decodeFormatA({}, Buffer.from('café\n', 'utf8')).payload, 'café\n');
  });

  test('decodes an empty body as an empty payload', () => {
    assert.equal(decodeFormatA(buildRecordV4(), Buffer.alloc(0)).payload, '');
  });

  test('reads X-CLR-External from the headers', () => {
    const fields = decodeFormatA({ ...buildRecordV4(), 'X-CLR-External': 'true' }, Buffer.from('x'));
    assert.equal(fields['x-clr-external'], 'true');
  });

  test('uses the first of duplicated headers and never crashes on them', () => {
    const request = readHttpFixture('format-a-v4-wire.http');
    const headers = { ...request.headers, severity: ['2', '4'], Severity: '1', 'Cpu-Model': 'Other' };
    const result = validateRecord(decodeFormatA(headers, request.body), OPTIONS);
    assert.ok(result.ok);
    assert.equal(result.value.severity, 2);
    assert.equal(result.value.cpuModel, 'AMD EPYC');
  });

  test('never throws on random header maps and bytes, and validates to ok or a known code', () => {
    const name = fc.oneof(
      fc.string(),
      fc.constantFrom(...Object.keys(buildRecordV4()), 'X-Telemetry-TID', 'x_clr_external', 'payload'),
    );
    const value = fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }), fc.constant(undefined));
    const headers = fc.oneof(
      fc.dictionary(name, value),
      fc.dictionary(name, value).map((extra) => ({ ...buildRecordV4(), ...extra })),
    );
    fc.assert(
      fc.property(headers, fc.uint8Array({ maxLength: 256 }), (map, bytes) => {
        const fields = decodeFormatA(map, bytes);
        assert.equal(typeof fields.payload, 'string');
        const result = validateRecord(fields, { acceptedTids: 'any' });
        if (!result.ok) assert.ok(['INGEST_TID_MISMATCH', 'INGEST_FIELD_INVALID'].includes(result.code));
      }),
      { numRuns: 1000 },
    );
  });
});
