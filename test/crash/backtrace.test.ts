import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseBacktrace } from '../../src/crash/backtrace.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/crash/${name}`, import.meta.url), 'utf8');

function threadPayload(frameCount: number, tid = 7): string {
  const frames = Array.from({ length: frameCount }, (_, i) => `#${i} f${i}() - [libx.so.1]`);
  return [`Backtrace (TID ${tid}):`, ...frames].join('\n');
}

describe('parseBacktrace', () => {
  test('reads header and both threads of the wire-protocol §16.2 example', () => {
    const parsed = parseBacktrace(fixture('crash-clr-spec-example.txt'));
    assert.equal(parsed.process, '/usr/bin/exampled');
    assert.equal(parsed.pid, 4242);
    assert.equal(parsed.signal, 11);
    assert.equal(parsed.error, null);
    assert.equal(parsed.truncated, false);
    assert.deepEqual(
      parsed.threads.map((thread) => thread.tid),
      [4242, 4243],
    );
    assert.deepEqual(parsed.threads[0]?.frames, [
      {
        index: 0,
        function: 'parse_item()',
        module: '/usr/bin/exampled',
        source: 'src/parse.c:88',
        raw: '#0 parse_item() - [/usr/bin/exampled] - src/parse.c:88',
      },
      { index: 1, function: 'handle_request()', module: '/usr/bin/exampled', raw: '#1 handle_request() - [/usr/bin/exampled]' },
      { index: 2, function: '???', module: 'libexample.so.2', raw: '#2 ??? - [libexample.so.2]' },
      { index: 3, function: '__libc_start_main()', module: 'libc.so.6', raw: '#3 __libc_start_main() - [libc.so.6]' },
    ]);
    assert.deepEqual(parsed.threads[1]?.frames[1], {
      index: 1,
      function: 'worker_loop()',
      module: '/usr/bin/exampled',
      source: 'src/loop.c:12',
      raw: '#1 worker_loop() - [/usr/bin/exampled] - src/loop.c:12',
    });
  });

  test('gives a null signal when the Signal line is missing', () => {
    const parsed = parseBacktrace('Process: /usr/bin/a\nPID: 1\n\nBacktrace (TID 1):\n#0 f() - [/usr/bin/a]\n\n');
    assert.equal(parsed.signal, null);
    assert.equal(parsed.pid, 1);
    assert.equal(parsed.threads[0]?.frames.length, 1);
  });

  test('keeps a (no symbols) frame without a module', () => {
    const parsed = parseBacktrace('Process: a\nPID: 1\n\nBacktrace (TID 1):\n#0 f() - [m]\n#1 (no symbols)\n#2 (no symbols) - src/a.c:4\n');
    const frames = parsed.threads[0]?.frames ?? [];
    assert.deepEqual(frames[1], { index: 1, function: '(no symbols)', module: null, raw: '#1 (no symbols)' });
    assert.equal(frames[2]?.source, 'src/a.c:4');
  });

  test('sets truncated and keeps all 64 frames when the payload says the backtrace was truncated', () => {
    const payload = `Process: /usr/bin/deep\nPID: 9\nSignal: 11\nToo many frames. Backtrace truncated.\n\n${threadPayload(64)}\n\n`;
    const parsed = parseBacktrace(payload);
    assert.equal(parsed.truncated, true);
    assert.equal(parsed.threads.length, 1);
    assert.equal(parsed.threads[0]?.frames.length, 64);
    assert.equal(parsed.threads[0]?.frames[63]?.index, 63);
  });

  test('reads the same frames when lines end with CRLF', () => {
    const lf = fixture('crash-clr-spec-example.txt');
    const crlf = lf.replaceAll('\n', '\r\n');
    const withoutRaw = (text: string) =>
      parseBacktrace(text).threads.map((t) => t.frames.map(({ raw: _raw, ...rest }) => rest));
    assert.deepEqual(withoutRaw(crlf), withoutRaw(lf));
    assert.equal(parseBacktrace(crlf).signal, 11);
  });

  test('keeps the frames before a cut when the text is truncated mid-line', () => {
    const full = fixture('crash-clr-spec-example.txt');
    const cut = full.slice(0, full.indexOf('libc.so.6') + 4);
    const parsed = parseBacktrace(cut);
    const frames = parsed.threads[0]?.frames ?? [];
    assert.equal(frames.length, 4);
    assert.deepEqual(frames[3], { index: 3, function: '__libc_start_main() - [libc', module: null, raw: '#3 __libc_start_main() - [libc' });
  });

  test('gives empty fields when the payload is empty', () => {
    assert.deepEqual(parseBacktrace(''), {
      process: null, pid: null, signal: null, error: null, truncated: false, threads: [],
    });
  });

  test('gives empty fields when the payload is binary garbage', () => {
    const garbage = String.fromCharCode(...Array.from({ length: 512 }, (_, i) => (i * 37) % 256));
    const parsed = parseBacktrace(garbage);
    assert.equal(parsed.process, null);
    assert.deepEqual(parsed.threads, []);
  });

  test('puts frames that come before any thread line in a thread without a tid', () => {
    const parsed = parseBacktrace('Process: a\n#0 f() - [m]\n');
    assert.deepEqual(parsed.threads.map((t) => t.tid), [null]);
    assert.equal(parsed.threads[0]?.frames[0]?.function, 'f()');
  });

  test('reads the Error line of a crash/error payload', () => {
    const parsed = parseBacktrace('Process: a\nPID: 3\nError: Failed to find module for current frame\n\nBacktrace (TID 3):\n#0 f() - [m]\n');
    assert.equal(parsed.error, 'Failed to find module for current frame');
  });

  test('takes header fields only above the first thread', () => {
    const parsed = parseBacktrace('PID: 1\n\nBacktrace (TID 1):\n#0 f() - [m]\nPID: 2\nProcess: late\n');
    assert.equal(parsed.pid, 1);
    assert.equal(parsed.process, null);
  });

  test('gives a null pid when the number is too large to be exact', () => {
    assert.equal(parseBacktrace(`PID: ${'9'.repeat(30)}\n`).pid, null);
  });

  test('never throws when the payload is random', () => {
    const frameish = fc.array(
      fc.constantFrom('#0 ', '#12 ', '???', ' - [', ']', '(no symbols)', 'Backtrace (TID 5):', 'PID: 3', '\n', '\r\n', 'f()', ' '),
      { maxLength: 30 },
    ).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), frameish), (payload) => {
        const parsed = parseBacktrace(payload);
        assert.ok(Array.isArray(parsed.threads));
      }),
      { numRuns: 2000 },
    );
  });
});
