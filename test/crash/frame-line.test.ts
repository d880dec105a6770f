import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { matchFrameLine, readFrameNumber } from '../../src/crash/frame-line.ts';

// reference-backend §9.2, as the reference's Python compiles it: `.` matches all but "\n"
// (the `s` flag, since a split line holds no "\n") and `\d` matches any Unicode digit.
const REFERENCE_FRAME = /^(#\p{Nd}+ )(.+)( - \[(.*)\](.*))$/su;

function matchWithReferenceRegex(line: string) {
  const m = REFERENCE_FRAME.exec(line);
  if (m === null) return null;
  return { number: (m[1] ?? '').slice(1, -1), function: m[2], module: m[4], rest: m[5] };
}

describe('matchFrameLine', () => {
  test('splits a user-space frame with source information', () => {
    assert.deepEqual(matchFrameLine('#0 parse_item() - [/usr/bin/exampled] - src/parse.c:88'), {
      number: '0',
      function: 'parse_item()',
      module: '/usr/bin/exampled',
      rest: ' - src/parse.c:88',
    });
  });

  test('splits a kernel frame whose function has the unreliable marker', () => {
    assert.deepEqual(matchFrameLine('#3 ? kmem_cache_alloc - [kernel]'), {
      number: '3',
      function: '? kmem_cache_alloc',
      module: 'kernel',
      rest: '',
    });
  });

  test('returns null when the frame has no module', () => {
    assert.equal(matchFrameLine('#4 (no symbols)'), null);
    assert.equal(matchFrameLine('#4 (no symbols) - src/x.c:3'), null);
  });

  test('returns null when the line is cut before the closing bracket', () => {
    assert.equal(matchFrameLine('#3 __libc_start_main() - [libc.so'), null);
  });

  test('returns null when the function is empty', () => {
    assert.equal(matchFrameLine('#0  - [libc.so.6]'), matchWithReferenceRegex('#0  - [libc.so.6]'));
    assert.equal(matchFrameLine('#0 - [libc.so.6]'), null);
  });

  test('takes the last module marker, as the greedy reference regex does', () => {
    const line = '#1 f() - [a] - [b] - src.c:1';
    assert.deepEqual(matchFrameLine(line), matchWithReferenceRegex(line));
    assert.equal(matchFrameLine(line)?.function, 'f() - [a]');
  });

  test('agrees with the reference regex when lines are random', () => {
    const piece = fc.constantFrom('#', '0', '7', '١', ' ', ' - [', ']', '[', '-', 'f()', 'x', '\r', '\u2028', '?');
    const line = fc.array(piece, { maxLength: 14 }).map((pieces) => pieces.join(''));
    fc.assert(
      fc.property(fc.oneof(line, fc.string()), (text) => {
        assert.deepEqual(matchFrameLine(text), matchWithReferenceRegex(text));
      }),
      { numRuns: 5000 },
    );
  });

  test('stays linear when a long line repeats the module marker', () => {
    const line = `#0 ${' - ['.repeat(50_000)}`;
    assert.equal(matchFrameLine(line), null);
  });
});

describe('readFrameNumber', () => {
  test('reads plain digits', () => {
    assert.equal(readFrameNumber('12'), 12);
  });

  test('returns null when the digits are not ASCII or too long', () => {
    assert.equal(readFrameNumber('١'), null);
    assert.equal(readFrameNumber('9'.repeat(20)), null);
  });
});
