import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { StoredRecord } from '../../src/protocol/record.ts';
import { formatRecordResponse, formatUtcTimestamp } from '../../src/protocol/record-response.ts';
import { FORMAT_A_CAPTURE_RECORD } from './reference-records.ts';

function buildStoredRecord(overrides: Partial<StoredRecord> = {}): StoredRecord {
  return {
    id: 42,
    receivedAt: new Date('2026-11-27T20:58:03.789Z'),
    ...FORMAT_A_CAPTURE_RECORD,
    ...overrides,
  };
}

describe('formatRecordResponse', () => {
  test('answers the reference keys plus payload_version and system_name in alphabetical order', () => {
    const keys = Object.keys(formatRecordResponse(buildStoredRecord()));
    assert.deepEqual(keys, [...keys].sort());
    assert.deepEqual(keys, [
      'arch', 'bios_version', 'board_name', 'build', 'classification', 'cpu_model', 'event_id', 'external',
      'id', 'kernel_version', 'machine_id', 'machine_type', 'payload', 'payload_version',
      'record_format_version', 'record_version', 'severity', 'system_name', 'ts_capture', 'ts_reception',
    ]);
  });

  test('maps every stored field to its reference name', () => {
    assert.deepEqual(formatRecordResponse(buildStoredRecord()), {
      arch: 'x86_64',
      bios_version: 'no_bv_file',
      board_name: 'no_bn_file|no_bv_file',
      build: '12',
      classification: 'org.example/acceptance/wire',
      cpu_model: 'AMD EPYC',
      event_id: '0123456789abcdef0123456789abcdef',
      external: false,
      id: 42,
      kernel_version: '6.18.44-fc-v669',
      machine_id: '1ae3c7427824c00c97bcbcfd91c2a4e2',
      machine_type: 'no_sv_file|no_pn_file|no_pvr_file',
      payload: 'line one\nline "two"\n',
      payload_version: 1,
      record_format_version: 4,
      record_version: 4,
      severity: 3,
      system_name: 'debian',
      ts_capture: '2026-11-27 18:33:03 UTC',
      ts_reception: '2026-11-27 20:58:03 UTC',
    });
  });

  test('keeps the key order through JSON.stringify', () => {
    const json = JSON.stringify(formatRecordResponse(buildStoredRecord({ external: true })));
    assert.ok(json.startsWith('{"arch":"x86_64","bios_version":'));
    assert.ok(json.endsWith('"ts_reception":"2026-11-27 20:58:03 UTC"}'));
  });

  test('formats a client timestamp far beyond the Date range instead of throwing', () => {
    const response = formatRecordResponse(buildStoredRecord({ timestampClient: 999999999999999 }));
    assert.match(response.ts_capture, /^\d{8}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  });
});

describe('formatUtcTimestamp', () => {
  test('formats epoch seconds as YYYY-MM-DD HH:MM:SS UTC', () => {
    assert.equal(formatUtcTimestamp(0), '1970-01-01 00:00:00 UTC');
    assert.equal(formatUtcTimestamp(1483232401), '2017-01-01 01:00:01 UTC');
    assert.equal(formatUtcTimestamp(951782400), '2000-02-29 00:00:00 UTC');
  });

  test('drops fractions of a second', () => {
    assert.equal(formatUtcTimestamp(1483232401.999), '2017-01-01 01:00:01 UTC');
  });

  test('formats times before 1970', () => {
    assert.equal(formatUtcTimestamp(-1), '1969-12-31 23:59:59 UTC');
  });

  test('answers invalid date for a non-finite time', () => {
    assert.equal(formatUtcTimestamp(Number.NaN), 'invalid date');
    assert.equal(formatRecordResponse(buildStoredRecord({ receivedAt: new Date(Number.NaN) })).ts_reception, 'invalid date');
  });

  test('agrees with Date over the range Date supports', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62135596800, max: 253402300799 }), (seconds) => {
        const iso = new Date(seconds * 1000).toISOString();
        assert.equal(formatUtcTimestamp(seconds), `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`);
      }),
      { numRuns: 5000 },
    );
  });
});
