import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { localDay, nextRunAt } from '../../src/processing/retention-schedule.ts';

describe('nextRunAt', () => {
  test('answers today at the time when it is still ahead', () => {
    assert.deepEqual(nextRunAt(new Date(2030, 2, 5, 1, 0), '04:30'), new Date(2030, 2, 5, 4, 30));
  });

  test('answers tomorrow when the time has come or passed', () => {
    assert.deepEqual(nextRunAt(new Date(2030, 2, 5, 4, 30), '04:30'), new Date(2030, 2, 6, 4, 30));
    assert.deepEqual(nextRunAt(new Date(2030, 2, 31, 23, 59), '00:00'), new Date(2030, 3, 1, 0, 0));
  });
});

describe('localDay', () => {
  test('formats the local calendar day', () => {
    assert.equal(localDay(new Date(2030, 0, 9, 23, 59)), '2030-01-09');
  });
});
