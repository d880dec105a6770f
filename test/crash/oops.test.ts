import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseOops } from '../../src/crash/oops.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/crash/${name}`, import.meta.url), 'utf8');

describe('parseOops', () => {
  test('reads every field of the wire-protocol §17.1 example', () => {
    const parsed = parseOops(fixture('kernel-warning-spec-example.txt'));
    assert.equal(
      parsed.reason,
      'WARNING: CPU: 1 PID: 311 at drivers/example/example_core.c:214 example_dev_init+0x4e/0x90 [example]',
    );
    assert.equal(parsed.kernelVersion, '5.10.0-example #1');
    assert.equal(parsed.tainted, 'G        W');
    assert.deepEqual(parsed.modules, ['example', 'snd_hda_intel', 'i915', 'e1000e']);
    assert.deepEqual(parsed.registers, [
      { name: 'RAX', value: 'Zero' },
      { name: 'RBX', value: 'Non-zero' },
      { name: 'RCX', value: 'Non-zero' },
      { name: 'RDX', value: 'Zero' },
      { name: 'RSP', value: 'Non-zero' },
      { name: 'RBP', value: 'Non-zero' },
    ]);
    assert.equal(parsed.bert, false);
    assert.deepEqual(parsed.hardwareErrors, []);
  });

  test('numbers frames from 1 and marks `? ` frames unreliable', () => {
    const parsed = parseOops(fixture('kernel-warning-spec-example.txt'));
    assert.deepEqual(
      parsed.frames.map((f) => [f.index, f.function, f.module, f.unreliable]),
      [
        [1, 'example_dev_init', 'kernel', false],
        [2, 'example_probe', 'kernel', false],
        [3, '? kmem_cache_alloc', 'kernel', true],
        [4, 'really_probe', 'kernel', false],
        [5, 'driver_probe_device', 'kernel', false],
      ],
    );
    assert.equal(parsed.frames[2]?.raw, '#3 ? kmem_cache_alloc - [kernel]');
  });

  test('reads a BERT report as hardware error lines without frames', () => {
    const parsed = parseOops(fixture('bert-debug-spec-example.txt'));
    assert.equal(parsed.reason, 'BERT: Error records from previous boot:');
    assert.equal(parsed.bert, true);
    assert.deepEqual(parsed.frames, []);
    assert.deepEqual(parsed.hardwareErrors, [
      '[Hardware Error]: event severity: fatal',
      '[Hardware Error]:  Error 0, type: fatal',
      '[Hardware Error]:   section_type: general processor error',
    ]);
  });

  test('keeps hex register values when privacy filters are off', () => {
    const parsed = parseOops('Crash Report:\nReason: BUG: x\nBacktrace :\nRegister RIP: ffffffffc00b7012\n#1 f - [kernel]\n');
    assert.deepEqual(parsed.registers, [{ name: 'RIP', value: 'ffffffffc00b7012' }]);
  });

  test('reads Not tainted and leaves absent fields null', () => {
    const parsed = parseOops('Crash Report:\nReason: BUG: x\nTainted : Not tainted\n');
    assert.equal(parsed.tainted, 'Not tainted');
    assert.equal(parsed.kernelVersion, null);
    assert.deepEqual(parsed.modules, []);
  });

  test('reads the same frames when lines end with CRLF', () => {
    const lf = parseOops(fixture('kernel-warning-spec-example.txt'));
    const crlf = parseOops(fixture('kernel-warning-spec-example.txt').replaceAll('\n', '\r\n'));
    assert.deepEqual(crlf, lf);
  });

  test('keeps a cut-off last frame without a module', () => {
    const text = fixture('kernel-warning-spec-example.txt');
    const parsed = parseOops(text.slice(0, text.indexOf('driver_probe_device') + 6));
    assert.deepEqual(parsed.frames.at(-1), {
      index: 5, function: 'driver', module: null, unreliable: false, raw: '#5 driver',
    });
  });

  test('gives empty fields when the payload is empty or binary', () => {
    const empty = parseOops('');
    assert.equal(empty.reason, null);
    assert.deepEqual(empty.frames, []);
    const binary = parseOops('\u0000\u0001\u00ff\ufffd'.repeat(100));
    assert.deepEqual(binary.frames, []);
  });

  test('never throws when the payload is random', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (payload) => {
        assert.ok(Array.isArray(parseOops(payload).frames));
      }),
      { numRuns: 2000 },
    );
  });
});
