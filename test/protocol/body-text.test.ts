import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeBodyText } from '../../src/protocol/body-text.ts';

describe('decodeBodyText', () => {
  test('decodes valid UTF-8 as UTF-8', () => {
    assert.equal(decodeBodyText(Buffer.from('café ✓ \u{1F600}\n', 'utf8')), 'café ✓ \u{1F600}\n');
  });

  test('falls back to Latin-1 when the bytes are not valid UTF-8', () => {
    assert.equal(decodeBodyText(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])), 'café\n');
  });

  test('maps 0x80-0x9f to U+0080-U+009F like Python latin-1, not windows-1252', () => {
    assert.equal(decodeBodyText(Buffer.from([0x80, 0x9f])), '\u0080\u009f');
  });

  test('keeps a leading byte order mark, as the body is stored as received', () => {
    assert.equal(decodeBodyText(Buffer.from([0xef, 0xbb, 0xbf, 0x61])), '\ufeffa');
  });

  test('decodes an empty body and a view into a larger buffer', () => {
    assert.equal(decodeBodyText(new Uint8Array(0)), '');
    const whole = Buffer.from('xxhello\xe9yy', 'latin1');
    assert.equal(decodeBodyText(whole.subarray(2, 8)), 'hello\u00e9');
  });

  test('never throws and round-trips any byte string one way or the other', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = decodeBodyText(bytes);
        const utf8 = Buffer.from(text, 'utf8');
        const latin1 = Buffer.from(text, 'latin1');
        assert.ok(utf8.equals(Buffer.from(bytes)) || latin1.equals(Buffer.from(bytes)));
      }),
      { numRuns: 2000 },
    );
  });
});
