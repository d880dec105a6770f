import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isKernelReport, listCrashingFrames, parseCrashReport } from '../../src/crash/crash-report.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/crash/${name}`, import.meta.url), 'utf8');

describe('parseCrashReport', () => {
  test('reads a payload that starts with `Crash Report:` as a kernel report', () => {
    assert.equal(parseCrashReport(fixture('kernel-warning-spec-example.txt')).kind, 'kernel');
    assert.equal(parseCrashReport(fixture('bert-debug-spec-example.txt')).kind, 'kernel');
  });

  test('reads any other payload as a user-space backtrace', () => {
    assert.equal(parseCrashReport(fixture('crash-clr-spec-example.txt')).kind, 'user');
    assert.equal(parseCrashReport('').kind, 'user');
  });
});

describe('isKernelReport', () => {
  test('accepts a first line with CR or spaces around it', () => {
    assert.equal(isKernelReport(['Crash Report: ']), true);
    assert.equal(isKernelReport(['Process: x', 'Crash Report:']), false);
  });
});

describe('listCrashingFrames', () => {
  test('lists the first thread of a user-space crash only', () => {
    const frames = listCrashingFrames(parseCrashReport(fixture('crash-clr-spec-example.txt')));
    assert.deepEqual(frames.map((f) => f.function), ['parse_item()', 'handle_request()', '???', '__libc_start_main()']);
    assert.equal(frames[0]?.source, 'src/parse.c:88');
    assert.equal(frames[1]?.source, undefined);
  });

  test('lists kernel frames with their unreliable mark', () => {
    const frames = listCrashingFrames(parseCrashReport(fixture('kernel-warning-spec-example.txt')));
    assert.deepEqual(frames.map((f) => [f.index, f.unreliable]), [[1, false], [2, false], [3, true], [4, false], [5, false]]);
  });

  test('lists nothing when the payload has no thread', () => {
    assert.deepEqual(listCrashingFrames(parseCrashReport('Process: a\n')), []);
  });
});
