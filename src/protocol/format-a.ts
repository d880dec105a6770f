// Format A (wire-protocol §3): the 15 fields as headers, the raw payload as the body,
// `Content-Type: application/text`, normally on /v2/collector. Pure decoding, no validation.

import { decodeBodyText } from './body-text.ts';
import { readHeaderFields, type HeaderMap } from './headers.ts';
import type { RawFields } from './record.ts';

/**
 * Reads a format A request: fields, TID and X-CLR-External from the headers, payload from
 * the body bytes as received (the client's trailing `\n` included, wire-protocol §6.4).
 * Cannot fail: anything missing or malformed is left for `validateRecord` to report.
 */
export function decodeFormatA(headers: HeaderMap, body: Uint8Array): RawFields {
  return { ...readHeaderFields(headers), payload: decodeBodyText(body) };
}
