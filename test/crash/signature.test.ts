import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Blacklist } from '../../src/crash/blacklist.ts';
import { computeSignature, normaliseFrame } from '../../src/crash/signature.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/crash/${name}`, import.meta.url), 'utf8');
const EMPTY = new Blacklist();
const SPEC_EXAMPLE = fixture('crash-clr-spec-example.txt');
const KERNEL_EXAMPLE = fixture('kernel-warning-spec-example.txt');

describe('computeSignature', () => {
  test('hashes the normalised top frames of the crashing thread', () => {
    const result = computeSignature(SPEC_EXAMPLE, EMPTY);
    assert.deepEqual(result?.frames, [
      'parse_item() - [exampled]',
      'handle_request() - [exampled]',
      '__libc_start_main() - [libc.so.6]',
    ]);
    assert.match(result?.signature ?? '', /^[0-9a-f]{40}$/);
  });

  test('keeps its value across releases unless the normalisation version changes', () => {
    // Changing this value regroups every stored crash: bump SIGNATURE_VERSION instead.
    assert.equal(computeSignature(SPEC_EXAMPLE, EMPTY)?.signature, '2115926d6a7cdbbf37cf7897e399082b9ebe37e9');
  });

  test('gives the same signature when PIDs, TIDs, source lines and module paths differ', () => {
    const other = SPEC_EXAMPLE.replaceAll('4242', '977')
      .replace('4243', '978')
      .replace('src/parse.c:88', 'src/parse.c:91')
      .replaceAll('/usr/bin/exampled', '/usr/libexec/exampled')
      .replace('Signal: 11', 'Signal: 6');
    assert.equal(computeSignature(other, EMPTY)?.signature, computeSignature(SPEC_EXAMPLE, EMPTY)?.signature);
  });

  test('gives the same signature when kernel offsets and addresses differ', () => {
    const withOffsets = KERNEL_EXAMPLE.replace('#1 example_dev_init - [kernel]', '#1 example_dev_init+0x4e/0x90 - [kernel]');
    const withOtherOffsets = KERNEL_EXAMPLE.replace(
      '#1 example_dev_init - [kernel]',
      '#1 example_dev_init+0x51/0x90 0xffffffffc00b7012 - [kernel]',
    );
    const expected = computeSignature(KERNEL_EXAMPLE, EMPTY)?.signature;
    assert.equal(computeSignature(withOffsets, EMPTY)?.signature, expected);
    assert.equal(computeSignature(withOtherOffsets, EMPTY)?.signature, expected);
  });

  test('gives the same signature when only a GCC clone suffix differs', () => {
    const a = 'Process: a\n\nBacktrace (TID 1):\n#0 step.isra.0() - [/usr/bin/a]\n#1 main() - [/usr/bin/a]\n';
    const b = a.replace('step.isra.0()', 'step.isra.3()');
    assert.equal(computeSignature(a, EMPTY)?.signature, computeSignature(b, EMPTY)?.signature);
  });

  test('gives another signature when the top frame differs', () => {
    const other = SPEC_EXAMPLE.replace('#0 parse_item()', '#0 parse_header()');
    assert.notEqual(computeSignature(other, EMPTY)?.signature, computeSignature(SPEC_EXAMPLE, EMPTY)?.signature);
  });

  test('gives another signature when the frame order differs', () => {
    const swapped = SPEC_EXAMPLE.replace('#0 parse_item()', '#0 TMP').replace('#1 handle_request()', '#1 parse_item()').replace('#0 TMP', '#0 handle_request()');
    assert.notEqual(computeSignature(swapped, EMPTY)?.signature, computeSignature(SPEC_EXAMPLE, EMPTY)?.signature);
  });

  test('ignores frames below the frame count', () => {
    const other = SPEC_EXAMPLE.replace('#1 handle_request()', '#1 other_caller()');
    assert.equal(
      computeSignature(other, EMPTY, { frameCount: 1 })?.signature,
      computeSignature(SPEC_EXAMPLE, EMPTY, { frameCount: 1 })?.signature,
    );
    assert.notEqual(computeSignature(other, EMPTY)?.signature, computeSignature(SPEC_EXAMPLE, EMPTY)?.signature);
  });

  test('skips blacklisted frames', () => {
    const blacklist = new Blacklist([{ function: 'parse_item()', module: '/usr/bin/exampled' }]);
    assert.deepEqual(computeSignature(SPEC_EXAMPLE, blacklist)?.frames, [
      'handle_request() - [exampled]',
      '__libc_start_main() - [libc.so.6]',
    ]);
  });

  test('skips ???, (no symbols) and unreliable kernel frames', () => {
    const payload = 'Process: a\n\nBacktrace (TID 1):\n#0 ??? - [liba.so]\n#1 (no symbols)\n#2 f() - [liba.so]\n';
    assert.deepEqual(computeSignature(payload, EMPTY)?.frames, ['f() - [liba.so]']);
    assert.deepEqual(computeSignature(KERNEL_EXAMPLE, EMPTY, { frameCount: 3 })?.frames, [
      'example_dev_init - [kernel]',
      'example_probe - [kernel]',
      'really_probe - [kernel]',
    ]);
  });

  test('uses only the crashing thread', () => {
    const withoutSecondThread = SPEC_EXAMPLE.slice(0, SPEC_EXAMPLE.indexOf('Backtrace (TID 4243)'));
    assert.equal(computeSignature(withoutSecondThread, EMPTY)?.signature, computeSignature(SPEC_EXAMPLE, EMPTY)?.signature);
  });

  test('returns null when no frame is usable', () => {
    assert.equal(computeSignature('', EMPTY), null);
    assert.equal(computeSignature('Process: a\n\nBacktrace (TID 1):\n#0 ??? - [a]\n#1 (no symbols)\n', EMPTY), null);
    assert.equal(computeSignature(fixture('bert-debug-spec-example.txt'), EMPTY), null);
  });

  test('treats a frame count below 1 as 1 and a missing one as 5', () => {
    assert.equal(computeSignature(SPEC_EXAMPLE, EMPTY, { frameCount: 0 })?.frames.length, 1);
    assert.equal(computeSignature(SPEC_EXAMPLE, EMPTY, { frameCount: Number.NaN })?.frames.length, 3);
  });

  test('never throws when the payload is random', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        computeSignature(text, EMPTY);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('normaliseFrame', () => {
  test('drops offsets and addresses and keeps the module basename', () => {
    assert.equal(normaliseFrame('do_one_initcall+0xb8/0x1e0', 'kernel'), 'do_one_initcall - [kernel]');
    assert.equal(normaliseFrame('f() at 0x7f3a12', '/usr/lib64/libx.so.1'), 'f() at - [libx.so.1]');
  });

  test('returns null when nothing but an address is left', () => {
    assert.equal(normaliseFrame('0xffffffff81000000', 'kernel'), null);
  });
});
