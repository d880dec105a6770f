import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { formatPythonRepr, parsePythonInt } from '../../src/protocol/python-int.ts';

describe('parsePythonInt', () => {
  const accepted: readonly [string, bigint][] = [
    ['1', 1n], ['-5', -5n], ['+8', 8n], [' 7 ', 7n], ['\t\n\v\f\r 9 \u00a0\u3000', 9n], ['\u001c3\u0085', 3n],
    ['1_000', 1000n], ['0_0', 0n], ['007', 7n], ['-0', 0n], ['99999999999999999999', 99999999999999999999n],
  ];
  for (const [text, value] of accepted) {
    test(`reads ${JSON.stringify(text)} as ${value} like Python int()`, () => {
      assert.deepEqual(parsePythonInt(text), { ok: true, value });
    });
  }

  for (const text of ['', ' ', 'x', '1.0', '1e3', '0x10', '_1', '1_', '1__0', '+-1', '- 1', '1 2', '\ufeff1', '٣', '\u00b2']) {
    test(`refuses ${JSON.stringify(text)} like Python int()`, () => {
      const result = parsePythonInt(text);
      assert.equal(result.ok, false);
      if (!result.ok) assert.ok(result.explanation.startsWith('invalid literal for int() with base 10: '));
    });
  }

  test("explains a refusal with Python's ValueError text", () => {
    assert.deepEqual(parsePythonInt('x'), { ok: false, explanation: "invalid literal for int() with base 10: 'x'" });
  });

  test('takes linear time on long whitespace runs', () => {
    const result = parsePythonInt(`${' '.repeat(200_000)}x${' '.repeat(200_000)}`);
    assert.equal(result.ok, false);
  });

  test('never throws and agrees with a plain decimal reading on digit strings', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const result = parsePythonInt(text);
        if (/^[0-9]+$/.test(text)) assert.deepEqual(result, { ok: true, value: BigInt(text) });
      }),
      { numRuns: 2000 },
    );
  });
});

describe('formatPythonRepr', () => {
  test("quotes like Python's repr", () => {
    assert.equal(formatPythonRepr('x'), "'x'");
    assert.equal(formatPythonRepr("it's"), `"it's"`);
    assert.equal(formatPythonRepr(`it's "x"`), `'it\\'s "x"'`);
    assert.equal(formatPythonRepr('a\\b'), "'a\\\\b'");
  });

  test('escapes control characters', () => {
    assert.equal(formatPythonRepr('\t\n\r\u0000\u007f\u0085'), "'\\t\\n\\r\\x00\\x7f\\x85'");
  });

  test('keeps printable non-ASCII characters', () => {
    assert.equal(formatPythonRepr('café'), "'café'");
  });

  test('cuts the repr to 200 characters like CPython %.200R', () => {
    const repr = formatPythonRepr('y'.repeat(1000));
    assert.equal(repr.length, 200);
    assert.equal(repr, `'${'y'.repeat(199)}`);
    assert.equal(formatPythonRepr('y'.repeat(198)), `'${'y'.repeat(198)}'`);
  });
});
