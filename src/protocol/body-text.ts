// Turns request body bytes into text the way the reference does (reference §4.4 step 18):
// UTF-8, and Latin-1 when the bytes are not valid UTF-8. Pure; never throws.

import { Buffer } from 'node:buffer';

// ignoreBOM keeps a leading U+FEFF in the text, as Python's bytes.decode('utf-8') does:
// the body is stored as received.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes bytes as UTF-8, falling back to Latin-1 (ISO-8859-1, which accepts every byte). */
export function decodeBodyText(bytes: Uint8Array): string {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    // Not UTF-8: expected input, not an error. TextDecoder('latin1') would be windows-1252
    // (WHATWG labels); Buffer's 'latin1' is true ISO-8859-1 like Python's 'latin-1'.
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  }
}
