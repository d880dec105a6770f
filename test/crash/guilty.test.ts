import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Blacklist, type BlacklistEntry } from '../../src/crash/blacklist.ts';
import { BACKTRACE_CLASSES, findGuilty, isBacktraceClass } from '../../src/crash/guilty.ts';
import { splitLines } from '../../src/crash/split-lines.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/crash/${name}`, import.meta.url), 'utf8');
const blacklistOf = (...pairs: Array<[string, string]>) =>
  new Blacklist(pairs.map(([f, m]): BlacklistEntry => ({ function: f, module: m })));
const EMPTY = new Blacklist();

/** A line-by-line transcription of the reference's find_guilty, with its regex. */
function findGuiltyLikeReference(payload: string, filters: Blacklist) {
  const frameRegex = /^(#\p{Nd}+ )(.+)( - \[(.*)\](.*))$/su;
  let firstUnknown: [string, string] | null = null;
  let inBacktrace = false;
  let prevFrame: [string, string] | null = null;
  let foundUnknown = false;
  for (const line of splitLines(payload).slice(1)) {
    const m = frameRegex.exec(line);
    if (m) {
      inBacktrace = true;
      const func = m[2] ?? '';
      const mod = m[4] ?? '';
      if (filters.has(func, mod)) {
        prevFrame = [func, mod];
        continue;
      }
      if ((func === '???' || func.slice(0, 2) === '? ') && !foundUnknown) {
        foundUnknown = true;
        firstUnknown = [func, mod];
        prevFrame = [func, mod];
        continue;
      } else if (func === '???') {
        prevFrame = [func, mod];
        continue;
      }
      return { function: func, module: mod };
    } else if (inBacktrace) {
      break;
    }
  }
  if (foundUnknown && firstUnknown) return { function: firstUnknown[0], module: firstUnknown[1] };
  if (prevFrame) return { function: prevFrame[0], module: prevFrame[1] };
  return null;
}

describe('findGuilty', () => {
  // reference-backend §9.4, worked example
  test('picks the first frame of the §16.2 example when the blacklist is empty', () => {
    assert.deepEqual(findGuilty(fixture('crash-clr-spec-example.txt'), EMPTY), {
      function: 'parse_item()',
      module: '/usr/bin/exampled',
    });
  });

  test('passes blacklisted frames and the first ??? frame to pick __libc_start_main', () => {
    const blacklist = blacklistOf(['parse_item()', '/usr/bin/exampled'], ['handle_request()', '/usr/bin/exampled']);
    assert.deepEqual(findGuilty(fixture('crash-clr-spec-example.txt'), blacklist), {
      function: '__libc_start_main()',
      module: 'libc.so.6',
    });
  });

  test('picks example_dev_init in the §17.1 kernel example', () => {
    assert.deepEqual(findGuilty(fixture('kernel-warning-spec-example.txt'), EMPTY), {
      function: 'example_dev_init',
      module: 'kernel',
    });
  });

  test('falls back to the first ??? frame when every other frame is blacklisted', () => {
    const blacklist = blacklistOf(
      ['parse_item()', '/usr/bin/exampled'],
      ['handle_request()', '/usr/bin/exampled'],
      ['__libc_start_main()', 'libc.so.6'],
    );
    assert.deepEqual(findGuilty(fixture('crash-clr-spec-example.txt'), blacklist), {
      function: '???',
      module: 'libexample.so.2',
    });
  });

  test('falls back to the last blacklisted frame when every frame is blacklisted', () => {
    const payload = 'Process: a\n\nBacktrace (TID 1):\n#0 f() - [m]\n#1 g() - [n]\n\nBacktrace (TID 2):\n#0 h() - [o]\n';
    assert.deepEqual(findGuilty(payload, blacklistOf(['f()', 'm'], ['g()', 'n'])), { function: 'g()', module: 'n' });
  });

  test('treats a blacklisted ??? frame as blacklisted, not as the first unknown', () => {
    const payload = 'Process: a\n#0 ??? - [m]\n#1 ??? - [n]\n';
    assert.deepEqual(findGuilty(payload, blacklistOf(['???', 'm'])), { function: '???', module: 'n' });
  });

  test('skips a later ??? frame and picks the next frame with a symbol', () => {
    const payload = 'Process: a\n#0 ??? - [m]\n#1 ??? - [n]\n#2 f() - [o]\n';
    assert.deepEqual(findGuilty(payload, EMPTY), { function: 'f()', module: 'o' });
  });

  test('picks a later `? ` kernel frame, as step 2.3 only skips later ??? frames', () => {
    const payload = 'Crash Report:\n#1 ? a - [kernel]\n#2 ? b - [kernel]\n#3 c - [kernel]\n';
    assert.deepEqual(findGuilty(payload, EMPTY), { function: '? b', module: 'kernel' });
  });

  test('passes blacklisted kernel frames and the first `? ` frame', () => {
    const blacklist = blacklistOf(['example_dev_init', 'kernel'], ['example_probe', 'kernel']);
    assert.deepEqual(findGuilty(fixture('kernel-warning-spec-example.txt'), blacklist), {
      function: 'really_probe',
      module: 'kernel',
    });
  });

  test('skips the first line even when it is a frame', () => {
    assert.deepEqual(findGuilty('#0 f() - [m]\n#1 g() - [m]\n', EMPTY), { function: 'g()', module: 'm' });
  });

  test('never looks past the crashing thread', () => {
    const payload = fixture('crash-clr-spec-example.txt');
    const blacklist = blacklistOf(
      ['parse_item()', '/usr/bin/exampled'],
      ['handle_request()', '/usr/bin/exampled'],
      ['???', 'libexample.so.2'],
      ['__libc_start_main()', 'libc.so.6'],
    );
    assert.deepEqual(findGuilty(payload, blacklist), { function: '__libc_start_main()', module: 'libc.so.6' });
  });

  test('stops at a (no symbols) line, which the frame regex does not match', () => {
    const payload = 'Process: a\n#0 f() - [m]\n#1 (no symbols)\n#2 g() - [n]\n';
    assert.deepEqual(findGuilty(payload, blacklistOf(['f()', 'm'])), { function: 'f()', module: 'm' });
  });

  test('returns null when the payload has no frame', () => {
    assert.equal(findGuilty('', EMPTY), null);
    assert.equal(findGuilty('Process: a\nPID: 1\n', EMPTY), null);
    assert.equal(findGuilty(fixture('bert-debug-spec-example.txt'), EMPTY), null);
    assert.equal(findGuilty('\u0000\u00ff#\u0007 - [\n\n', EMPTY), null);
  });

  test('picks the same guilty when lines end with CRLF', () => {
    const payload = fixture('crash-clr-spec-example.txt').replaceAll('\n', '\r\n');
    assert.deepEqual(findGuilty(payload, EMPTY), { function: 'parse_item()', module: '/usr/bin/exampled' });
  });

  test('agrees with a transcription of the reference when payloads are random', () => {
    const functions = ['f()', 'g()', '???', '? k', '? ', 'h - [x]'];
    const modules = ['m', 'n', '', 'kernel'];
    const frameLine = fc
      .tuple(fc.nat(70), fc.constantFrom(...functions), fc.constantFrom(...modules), fc.constantFrom('', ' - a.c:1'))
      .map(([n, f, m, rest]) => `#${n} ${f} - [${m}]${rest}`);
    const otherLine = fc.constantFrom('', 'Process: /usr/bin/a', 'Backtrace (TID 3):', '#3 (no symbols)', 'Crash Report:', '#9 cut - [mo');
    const payload = fc
      .tuple(fc.array(fc.oneof(frameLine, frameLine, otherLine), { maxLength: 12 }), fc.constantFrom('\n', '\r\n'))
      .map(([lines, eol]) => lines.join(eol) + eol);
    const blacklist = fc
      .array(fc.tuple(fc.constantFrom(...functions), fc.constantFrom(...modules)), { maxLength: 6 })
      .map((pairs) => blacklistOf(...pairs));
    fc.assert(
      fc.property(payload, blacklist, (text, filters) => {
        assert.deepEqual(findGuilty(text, filters), findGuiltyLikeReference(text, filters));
      }),
      { numRuns: 3000 },
    );
  });

  test('never throws when the payload is random', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        findGuilty(text, EMPTY);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('isBacktraceClass', () => {
  test('accepts the four backtrace classes of reference-backend §9.1', () => {
    assert.deepEqual([...BACKTRACE_CLASSES], [
      'org.clearlinux/crash/clr',
      'org.clearlinux/kernel/bug',
      'org.clearlinux/kernel/stackoverflow',
      'org.clearlinux/kernel/warning',
    ]);
    for (const classification of BACKTRACE_CLASSES) assert.equal(isBacktraceClass(classification), true);
  });

  test('rejects panic, the other crash classes and the domain-less kernel classes', () => {
    for (const classification of [
      'org.clearlinux/kernel/panic',
      'org.clearlinux/crash/unknown',
      'org.clearlinux/crash/clr-build',
      'org.clearlinux/crash/error',
      'crash/kernel/bug',
      'ORG.CLEARLINUX/CRASH/CLR',
    ]) {
      assert.equal(isBacktraceClass(classification), false, classification);
    }
  });

  test('uses the given list when one is passed', () => {
    assert.equal(isBacktraceClass('my/crash/x', ['my/crash/x']), true);
    assert.equal(isBacktraceClass('org.clearlinux/crash/clr', ['my/crash/x']), false);
  });

  test('cannot be changed through the exported list', () => {
    assert.throws(() => (BACKTRACE_CLASSES as string[]).push('x'));
  });
});
