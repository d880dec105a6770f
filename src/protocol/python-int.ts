// Python's int(text) for base 10, which the reference applies to Payload-Format-Version
// (reference §4.4 step 16), and the text of the ValueError it raises. Pure; never throws.

export type PythonIntResult = { ok: true; value: bigint } | { ok: false; explanation: string };

// Python's str.isspace set, which int() strips from both ends (not JS's \s: that one
// includes U+FEFF and lacks U+001C-U+001F and U+0085).
const PYTHON_WHITESPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001,
  0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f,
  0x205f, 0x3000,
]);

// Sign, then digits with single `_` between them (PEP 515). Unambiguous, so linear time.
const PYTHON_INT_BODY = /^[+-]?[0-9](?:_?[0-9])*$/;

// CPython formats the error with `%.200R`: the repr, cut to 200 characters.
const REPR_MAX_CHARS = 200;

/**
 * Parses like Python's `int(text)`: surrounding whitespace, a sign and `_` separators are
 * accepted (`' -1_000 '` → -1000n). Non-ASCII digits, which Python also accepts, are refused.
 */
export function parsePythonInt(text: string): PythonIntResult {
  let start = 0;
  let end = text.length;
  // Index loops rather than a regex: a trimming regex backtracks quadratically on long input.
  while (start < end && PYTHON_WHITESPACE.has(text.charCodeAt(start))) start++;
  while (end > start && PYTHON_WHITESPACE.has(text.charCodeAt(end - 1))) end--;
  const body = text.slice(start, end);
  if (!PYTHON_INT_BODY.test(body)) {
    return { ok: false, explanation: `invalid literal for int() with base 10: ${formatPythonRepr(text)}` };
  }
  return { ok: true, value: BigInt(body.replaceAll('_', '')) };
}

/** Python's repr() of a str, cut to 200 characters as in CPython's int() error. */
export function formatPythonRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let repr = quote;
  // Every character yields at least one output character, so 200 input characters suffice.
  for (const char of text.slice(0, REPR_MAX_CHARS)) {
    repr += escapeReprChar(char, quote);
    if (repr.length > REPR_MAX_CHARS) break;
  }
  return (repr + quote).slice(0, REPR_MAX_CHARS);
}

function escapeReprChar(char: string, quote: string): string {
  if (char === quote || char === '\\') return `\\${char}`;
  if (char === '\t') return '\\t';
  if (char === '\n') return '\\n';
  if (char === '\r') return '\\r';
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code >= 0xd800 && code <= 0xdfff) return `\\u${code.toString(16)}`; // lone surrogate
  return char;
}
