import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isHeaderFieldKey, normaliseHeaderName, readHeaderFields } from '../../src/protocol/headers.ts';
import { RECORD_FIELD_KEYS } from '../../src/protocol/record.ts';

describe('normaliseHeaderName', () => {
  test('lowercases and turns underscores into dashes', () => {
    assert.equal(normaliseHeaderName('record_format_version'), 'record-format-version');
    assert.equal(normaliseHeaderName('Record-Format-Version'), 'record-format-version');
    assert.equal(normaliseHeaderName('RECORD_FORMAT-VERSION'), 'record-format-version');
    assert.equal(normaliseHeaderName('Record_format_version'), 'record-format-version');
    assert.equal(normaliseHeaderName('X-Telemetry-TID'), 'x-telemetry-tid');
  });
});

describe('isHeaderFieldKey', () => {
  test('knows the 15 fields, the TID and X-CLR-External and nothing else', () => {
    for (const key of [...RECORD_FIELD_KEYS, 'x-telemetry-tid', 'x-clr-external']) assert.ok(isHeaderFieldKey(key));
    for (const key of ['payload', 'content-type', 'host', 'machine_id', '__proto__', '']) assert.ok(!isHeaderFieldKey(key));
  });
});

describe('readHeaderFields', () => {
  test('reads the client underscore names and the hyphenated names alike', () => {
    assert.deepEqual(
      readHeaderFields({
        record_format_version: '4',
        'Machine-Id': 'abc',
        CPU_MODEL: 'AMD EPYC',
        'x-telemetry-tid': 'tid',
        'X-CLR-External': 'true',
      }),
      {
        'record-format-version': '4',
        'machine-id': 'abc',
        'cpu-model': 'AMD EPYC',
        'x-telemetry-tid': 'tid',
        'x-clr-external': 'true',
      },
    );
  });

  test('ignores headers that are not record fields, a payload header included', () => {
    assert.deepEqual(
      readHeaderFields({ host: 'h', accept: '*/*', 'content-type': 'application/text', payload: 'p', 'content-length': '3' }),
      {},
    );
  });

  test('keeps values as sent, empty and spaced ones included', () => {
    assert.deepEqual(readHeaderFields({ build: '"12"', machine_id: '', cpu_model: ' a  b ' }), {
      build: '"12"',
      'machine-id': '',
      'cpu-model': ' a  b ',
    });
  });

  test('takes the first element when a value is an array', () => {
    assert.deepEqual(readHeaderFields({ severity: ['3', '4'] }), { severity: '3' });
  });

  test('takes the first spelling in map order when one field comes under two spellings', () => {
    assert.deepEqual(readHeaderFields({ machine_id: 'first', 'Machine-Id': 'second' }), { 'machine-id': 'first' });
    assert.deepEqual(readHeaderFields({ 'Machine-Id': 'second', machine_id: 'first' }), { 'machine-id': 'second' });
  });

  test('skips undefined values and empty arrays so a later spelling can fill the field', () => {
    assert.deepEqual(readHeaderFields({ severity: [], Severity: undefined, SEVERITY: '2' }), { severity: '2' });
    assert.deepEqual(readHeaderFields({ severity: undefined }), {});
  });

  test("keeps Node's joined value of a repeated header as one string", () => {
    assert.deepEqual(readHeaderFields({ severity: '3, 3' }), { severity: '3, 3' });
  });

  test("reads Node's IncomingHttpHeaders and prototype-less maps", () => {
    const nodeHeaders: IncomingHttpHeaders = { 'set-cookie': ['a'], arch: 'x86_64' };
    assert.deepEqual(readHeaderFields(nodeHeaders), { arch: 'x86_64' });
    const bare = Object.assign(Object.create(null) as Record<string, string>, { arch: 'ppc' });
    assert.deepEqual(readHeaderFields(bare), { arch: 'ppc' });
  });

  test('never throws and returns only known keys with string values for random maps', () => {
    const name = fc.oneof(
      fc.string(),
      fc.constantFrom('machine_id', 'Machine-Id', 'MACHINE-ID', 'severity', '__proto__', 'constructor', 'toString'),
    );
    const value = fc.oneof(fc.string(), fc.array(fc.string()), fc.constant(undefined));
    fc.assert(
      fc.property(fc.dictionary(name, value), (headers) => {
        const fields = readHeaderFields(headers);
        for (const [key, fieldValue] of Object.entries(fields)) {
          assert.ok(isHeaderFieldKey(key));
          assert.equal(typeof fieldValue, 'string');
        }
      }),
      { numRuns: 1000 },
    );
  });
});
