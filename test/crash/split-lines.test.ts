import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { splitLines } from '../../src/crash/split-lines.ts';

describe('splitLines', () => {
  test('gives no lines when the text is empty', () => {
    assert.deepEqual(splitLines(''), []);
  });

  test('adds no empty last line when the text ends with a line break', () => {
    assert.deepEqual(splitLines('a\nb\n'), ['a', 'b']);
  });

  test('keeps an empty line between two line breaks at the end', () => {
    assert.deepEqual(splitLines('a\n\n'), ['a', '']);
  });

  test('treats CRLF as one line break', () => {
    assert.deepEqual(splitLines('a\r\nb\r\n'), ['a', 'b']);
  });

  test('breaks on every separator of Python str.splitlines', () => {
    const separators = ['\n', '\r', '\v', '\f', '\x1c', '\x1d', '\x1e', '\x85', '\u2028', '\u2029'];
    for (const separator of separators) {
      assert.deepEqual(splitLines(`a${separator}b`), ['a', 'b'], JSON.stringify(separator));
    }
  });

  test('returns lines that hold no line break when the text is random', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        for (const line of splitLines(text)) assert.doesNotMatch(line, /[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/);
      }),
    );
  });
});
