import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { analyseCrash } from '../../src/crash/analyse.ts';
import { Blacklist } from '../../src/crash/blacklist.ts';
import { findGuilty } from '../../src/crash/guilty.ts';
import { computeSignature } from '../../src/crash/signature.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/crash/${name}`, import.meta.url), 'utf8');
const EMPTY = new Blacklist();
const CLR = 'org.clearlinux/crash/clr';
// the frames a C++ abort passes through before reaching the code at fault
const ABORT_BLACKLIST = new Blacklist(
  [
    ['raise()', 'libc.so.6'],
    ['abort()', 'libc.so.6'],
    ['_ZN9__gnu_cxx27__verbose_terminate_handlerEv()', 'libstdc++.so.6'],
    ['_ZN10__cxxabiv111__terminateEPFvvE()', 'libstdc++.so.6'],
    ['_ZSt9terminatev()', 'libstdc++.so.6'],
    ['__cxa_throw()', 'libstdc++.so.6'],
  ].map(([f, m]) => ({ function: f ?? '', module: m ?? '' })),
);

describe('analyseCrash', () => {
  test('gives guilty, signature and display frames of a user-space crash', () => {
    const result = analyseCrash(fixture('crash-clr-spec-example.txt'), CLR, EMPTY);
    assert.equal(result.kind, 'user');
    assert.equal(result.backtraceClass, true);
    assert.deepEqual(result.guilty, { function: 'parse_item()', module: '/usr/bin/exampled' });
    assert.equal(result.signature?.frames.length, 3);
    assert.equal(result.process, '/usr/bin/exampled');
    assert.equal(result.signal, 11);
    assert.equal(result.reason, null);
    assert.deepEqual(result.frames[0], {
      index: 0,
      function: 'parse_item()',
      displayFunction: 'parse_item()',
      module: '/usr/bin/exampled',
      source: 'src/parse.c:88',
      sourceBasename: 'parse.c:88',
      unreliable: false,
      guilty: true,
    });
    assert.deepEqual(result.frames.map((f) => f.guilty), [true, false, false, false]);
  });

  test('agrees with findGuilty and computeSignature called one by one', () => {
    const payload = fixture('crash-clr-cxx-abort.txt');
    const result = analyseCrash(payload, CLR, ABORT_BLACKLIST);
    assert.deepEqual(result.guilty, findGuilty(payload, ABORT_BLACKLIST));
    assert.deepEqual(result.signature, computeSignature(payload, ABORT_BLACKLIST));
  });

  test('blames the first frame past the abort machinery and demangles it for display', () => {
    const result = analyseCrash(fixture('crash-clr-cxx-abort.txt'), CLR, ABORT_BLACKLIST);
    assert.deepEqual(result.guilty, {
      function: '_ZN5media7decoder11FrameParser10parseFrameERKSt6vectorIhSaIhEEm()',
      module: '/usr/lib64/libmedia-core.so.3',
    });
    const guiltyFrame = result.frames.find((f) => f.guilty);
    assert.equal(
      guiltyFrame?.displayFunction,
      'media::decoder::FrameParser::parseFrame(std::vector<unsigned char, std::allocator<unsigned char> > const&, unsigned long)',
    );
    assert.equal(result.frames[7]?.displayFunction, 'media::decoder::Decoder::decode(media::Packet&) [clone .isra.0]');
    assert.equal(result.frames.length, 13);
  });

  test('gives the kernel reason and unreliable frames of an oops', () => {
    const result = analyseCrash(fixture('kernel-warning-spec-example.txt'), 'org.clearlinux/kernel/warning', EMPTY);
    assert.equal(result.kind, 'kernel');
    assert.deepEqual(result.guilty, { function: 'example_dev_init', module: 'kernel' });
    assert.match(result.reason ?? '', /^WARNING: CPU: 1/);
    assert.deepEqual(result.frames.map((f) => f.unreliable), [false, false, true, false, false]);
    assert.equal(result.process, null);
  });

  test('gives no guilty and no signature when the class is not a backtrace class', () => {
    const result = analyseCrash(fixture('crash-clr-spec-example.txt'), 'org.clearlinux/crash/error', EMPTY);
    assert.equal(result.backtraceClass, false);
    assert.equal(result.guilty, null);
    assert.equal(result.signature, null);
    assert.equal(result.frames.length, 4);
  });

  test('uses the class list of the options', () => {
    const result = analyseCrash(fixture('crash-clr-spec-example.txt'), 'org.clearlinux/crash/error', EMPTY, {
      classes: ['org.clearlinux/crash/error'],
      frameCount: 1,
    });
    assert.notEqual(result.guilty, null);
    assert.equal(result.signature?.frames.length, 1);
  });

  test('gives an empty analysis when the payload is empty', () => {
    const result = analyseCrash('', CLR, EMPTY);
    assert.equal(result.guilty, null);
    assert.equal(result.signature, null);
    assert.deepEqual(result.frames, []);
  });

  test('never throws when the payload is random', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.boolean(), (text, kernel) => {
        analyseCrash(kernel ? `Crash Report:\n${text}` : text, CLR, EMPTY);
      }),
      { numRuns: 2000 },
    );
  });
});
