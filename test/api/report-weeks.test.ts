import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startOfWeekZero, startOfYear, thermalWindowStart } from '../../src/api/report-weeks.ts';

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 1000;

describe('startOfWeekZero', () => {
  test('is the Sunday on or before 1 January, like Python strptime(year + "000", "%Y%U%w")', () => {
    // expected dates produced by CPython 3.11
    const expected: [number, string][] = [[2017, '2017-01-01'], [2018, '2017-12-31'], [2020, '2019-12-29'], [2023, '2023-01-01'], [2024, '2023-12-31'], [2026, '2025-12-28'], [2028, '2027-12-26']];
    for (const [year, sunday] of expected) {
      assert.equal(startOfWeekZero(new Date(Date.UTC(year, 5, 15, 12))), day(sunday), String(year));
    }
  });
});

describe('startOfYear', () => {
  test('is 1 January 00:00 UTC', () => {
    assert.equal(startOfYear(new Date('2026-11-27T21:00:00Z')), day('2026-01-01'));
  });
});

describe('thermalWindowStart', () => {
  test('is the Sunday starting this week, minus four weeks', () => {
    assert.equal(thermalWindowStart(new Date('2026-11-27T21:00:00Z')), day('2026-10-25')); // a Friday
    assert.equal(thermalWindowStart(new Date('2026-11-29T01:00:00Z')), day('2026-11-01')); // a Sunday
  });
});
