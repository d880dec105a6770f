import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_WINDOW_SECONDS, parseInstant, parseRecordFilter } from '../../src/api/record-filter.ts';
import { AppError } from '../../src/errors.ts';

const list = { defaultWindow: true };
const all = { defaultWindow: false };

describe('parseRecordFilter', () => {
  test('applies the 30-day window by default on the records list only', () => {
    assert.deepEqual(parseRecordFilter({}, list), { receivedWithinSeconds: MAX_WINDOW_SECONDS });
    assert.deepEqual(parseRecordFilter({}, all), {});
  });

  test('lifts the default window when any range parameter is given', () => {
    for (const name of ['received_from', 'received_to', 'created_from', 'created_to']) {
      assert.equal(parseRecordFilter({ [name]: '0' }, list).receivedWithinSeconds, undefined, name);
    }
  });

  test('prefers created_in_days to created_in_sec and clamps both to 30 days', () => {
    assert.equal(parseRecordFilter({ created_in_days: '2', created_in_sec: '5' }, list).receivedWithinSeconds, 2 * 86_400);
    assert.equal(parseRecordFilter({ created_in_sec: '5' }, all).receivedWithinSeconds, 5);
    assert.equal(parseRecordFilter({ created_in_days: '31' }, list).receivedWithinSeconds, MAX_WINDOW_SECONDS);
    assert.equal(parseRecordFilter({ created_in_sec: '9'.repeat(40) }, list).receivedWithinSeconds, MAX_WINDOW_SECONDS);
  });

  test('reads classification as exact, prefix or any', () => {
    assert.deepEqual(parseRecordFilter({ classification: 'a/b/c' }, all).classification, { kind: 'exact', value: 'a/b/c' });
    assert.deepEqual(parseRecordFilter({ classification: 'a/b/*' }, all).classification, { kind: 'prefix', value: 'a/b/' });
    assert.deepEqual(parseRecordFilter({ classification: 'a/%' }, all).classification, { kind: 'prefix', value: 'a/' });
    assert.deepEqual(parseRecordFilter({ classification: '*' }, all).classification, { kind: 'any' });
    assert.deepEqual(parseRecordFilter({ classification: 'a/b%/c' }, all).classification, { kind: 'exact', value: 'a/b%/c' });
  });

  test("removes quotes from build like the reference", () => {
    assert.equal(parseRecordFilter({ build: `"12'3"` }, all).build, '123');
  });

  test('keeps ids and client times as bigints up to the PostgreSQL bigint maximum', () => {
    const f = parseRecordFilter({ from_id: '9223372036854775807', ts_capture: '0', before_id: '12' }, all);
    assert.equal(f.fromId, 9_223_372_036_854_775_807n);
    assert.equal(f.capturedAfter, 0n);
    assert.equal(f.beforeId, 12n);
    assert.throws(() => parseRecordFilter({ from_id: '9223372036854775808' }, all), AppError);
  });

  test('rounds fractional client-time bounds up to whole seconds', () => {
    assert.equal(parseRecordFilter({ created_from: '1970-01-01T00:00:10.5Z' }, all).createdFrom, 11n);
  });

  test('throws one QUERY_PARAM_INVALID error naming each bad parameter', () => {
    try {
      parseRecordFilter({ severity: 'x', build: '\u0000', data_source: 'nope' }, all);
      assert.fail('no error');
    } catch (err) {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'QUERY_PARAM_INVALID');
      assert.equal(err.message, 'Severity should be a numeric value');
      assert.deepEqual(err.details?.map((d) => d.field), ['severity', 'build', 'data_source']);
    }
  });
});

describe('parseInstant', () => {
  test('reads epoch seconds, dates at UTC midnight and ISO date-times', () => {
    assert.equal(parseInstant('0')?.toISOString(), '1970-01-01T00:00:00.000Z');
    assert.equal(parseInstant('1700000000')?.toISOString(), '2023-11-14T22:13:20.000Z');
    assert.equal(parseInstant('2024-05-01')?.toISOString(), '2024-05-01T00:00:00.000Z');
    assert.equal(parseInstant('2024-05-01T12:30')?.toISOString(), '2024-05-01T12:30:00.000Z');
    assert.equal(parseInstant('2024-05-01 12:30:15.123456')?.toISOString(), '2024-05-01T12:30:15.123Z');
    assert.equal(parseInstant('2024-05-01T12:30:00+02:00')?.toISOString(), '2024-05-01T10:30:00.000Z');
    assert.equal(parseInstant('2024-05-01T12:30:00-0130')?.toISOString(), '2024-05-01T14:00:00.000Z');
  });

  test('rejects impossible dates and other text', () => {
    for (const value of ['2024-02-30', '2024-13-01', '2024-05-01T24:00', 'yesterday', '-1', '1e9', '', '99999999999999999', '2024-5-1']) {
      assert.equal(parseInstant(value), null, value);
    }
  });
});
