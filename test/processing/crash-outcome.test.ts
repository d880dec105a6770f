import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { analyseCrash } from '../../src/crash/analyse.ts';
import { Blacklist } from '../../src/crash/blacklist.ts';
import { analyseCrashOutcome } from '../../src/processing/crash-outcome.ts';
import { ANALYSIS_OPTIONS, buildCrashPayload, CLR, KERNEL_WARNING, readCrashFixture } from './crash-records.ts';

const ABORT_BLACKLIST = new Blacklist([
  { function: 'raise()', module: 'libc.so.6' },
  { function: 'abort()', module: 'libc.so.6' },
  { function: 'parse_item()', module: '/usr/bin/exampled' },
]);

function assertAgrees(payload: string, classification: string, blacklist: Blacklist, signatureFrames = 5): void {
  const full = analyseCrash(payload, classification, blacklist, { classes: ANALYSIS_OPTIONS.classes, frameCount: signatureFrames });
  const stored = analyseCrashOutcome(payload, classification, blacklist, { classes: ANALYSIS_OPTIONS.classes, signatureFrames });
  assert.deepEqual(stored, { guilty: full.guilty, signature: full.signature, process: full.process, signal: full.signal });
}

describe('analyseCrashOutcome', () => {
  test('agrees with analyseCrash on every stored field of the fixtures', () => {
    const cases: Array<[string, string]> = [
      ['crash-clr-spec-example.txt', CLR],
      ['crash-clr-cxx-abort.txt', CLR],
      ['bert-debug-spec-example.txt', KERNEL_WARNING],
      ['kernel-warning-spec-example.txt', KERNEL_WARNING],
      ['crash-clr-spec-example.txt', 'org.clearlinux/crash/error'],
    ];
    for (const [name, classification] of cases) {
      for (const blacklist of [new Blacklist(), ABORT_BLACKLIST]) {
        for (const frames of [1, 5, 64]) assertAgrees(readCrashFixture(name), classification, blacklist, frames);
      }
    }
  });

  test('agrees with analyseCrash on arbitrary text and generated crashes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.nat(1000), (text, i) => {
        assertAgrees(text, CLR, ABORT_BLACKLIST);
        assertAgrees(`${buildCrashPayload(`f${i}()`, i)}${text}`, CLR, ABORT_BLACKLIST);
        assertAgrees(`Crash Report:\n${text}\n#1 k${i} - [kernel]`, KERNEL_WARNING, ABORT_BLACKLIST);
      }),
      { numRuns: 300 },
    );
  });
});
