// Splits a payload into lines exactly as the reference backend does (Python's
// str.splitlines), so the guilty finder sees the same lines. Pure; never throws.

// Python's str.splitlines() breaks on these, and on "\r\n" as one break.
const LINE_BREAK = /\r\n|[\n\v\f\r\x1c\x1d\x1e\x85\u2028\u2029]/;

/** Lines of `text` without their line breaks; a final line break adds no empty line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(LINE_BREAK);
  // splitlines() gives no empty last element for a trailing break (§6.4: every payload has one)
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
