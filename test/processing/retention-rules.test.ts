import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RetentionRule } from '../../src/config/schema.ts';
import { DAY_MS, isRecordExpired, matchesRule, planPurge } from '../../src/processing/retention-rules.ts';

const NOW = new Date('2030-03-05T04:30:00Z');
const RULES: RetentionRule[] = [
  { field: 'severity', value: '1', days: 1 },
  { field: 'severity', value: '4', days: 0 },
  { field: 'classification', value: 'test/keep/one', days: 0 },
  { field: 'classification', value: 'test/discard/*', days: 1 },
];
const record = (ageDays: number, severity: number, classification: string, machineId = 'm') => ({
  severity,
  classification,
  machineId,
  receivedAt: new Date(NOW.getTime() - ageDays * DAY_MS),
});

describe('planPurge', () => {
  test('runs one step per rule with days other than 0, then the unfiltered age', () => {
    const plan = planPurge(RULES, 5, NOW);
    assert.deepEqual(plan.steps.map((s) => [s.label, s.cutoff.toISOString(), s.earlier.length]), [
      ['severity 1 after 1 day', '2030-03-04T04:30:00.000Z', 0],
      ['classification test/discard/* after 1 day', '2030-03-04T04:30:00.000Z', 1],
      ['unfiltered after 5 days', '2030-02-28T04:30:00.000Z', 0],
    ]);
    assert.deepEqual(plan.keepForever.map((r) => r.value), ['4', 'test/keep/one']);
  });

  test('drops days only past the longest retention, and never when unmatched records are kept forever', () => {
    assert.equal(planPurge([{ field: 'machine_id', value: 'x', days: 90 }], 35, NOW).dropBefore?.toISOString(), '2029-12-05T04:30:00.000Z');
    assert.equal(planPurge(RULES, 5, NOW).dropBefore?.toISOString(), '2030-02-28T04:30:00.000Z');
    assert.equal(planPurge(RULES, 0, NOW).dropBefore, null);
    assert.deepEqual(planPurge([], 0, NOW).steps, []);
  });
});

describe('isRecordExpired', () => {
  test('deletes every record of the reference "purge delete" table', () => {
    for (const r of [record(2, 1, 'test/discard/one'), record(2, 2, 'test/discard/two'), record(2, 2, 'test/discard/three'), record(2, 4, 'test/discard/two'), record(2, 4, 'test/discard/three'), record(6, 2, 'test/test/one'), record(2, 1, 'test/keep/one')]) {
      assert.equal(isRecordExpired(r, RULES, 5, NOW), true, JSON.stringify(r));
    }
  });

  test('keeps 3 of the reference "purge keep" table', () => {
    const rows = [record(6, 2, 'test/keep/one'), record(3, 2, 'test/test/one'), record(6, 4, 'test/test/one'), record(2, 4, 'test/discard/three'), record(6, 2, 'test/test/one'), record(2, 1, 'test/keep/one')];
    assert.deepEqual(rows.map((r) => isRecordExpired(r, RULES, 5, NOW)), [false, false, false, true, true, true]);
  });

  test('keeps unmatched records forever when maxDays is 0', () => {
    assert.equal(isRecordExpired(record(1000, 2, 'a/b/c'), RULES, 0, NOW), false);
  });
});

describe('matchesRule', () => {
  test('treats only `*` as a wildcard in a classification', () => {
    const rule = (value: string): RetentionRule => ({ field: 'classification', value, days: 1 });
    assert.equal(matchesRule(record(0, 1, 'a/b/c'), rule('a/*')), true);
    assert.equal(matchesRule(record(0, 1, 'a/b/c'), rule('*/c')), true);
    assert.equal(matchesRule(record(0, 1, 'axb'), rule('a_b')), false);
    assert.equal(matchesRule(record(0, 1, 'a.b'), rule('a%b')), false);
    assert.equal(matchesRule(record(0, 1, 'a.b'), rule('a.b')), true);
  });

  test('compares severity as a number and machine id exactly', () => {
    assert.equal(matchesRule(record(0, 1, 'x'), { field: 'severity', value: '1', days: 1 }), true);
    assert.equal(matchesRule(record(0, 1, 'x', 'M'), { field: 'machine_id', value: 'm', days: 1 }), false);
  });
});
