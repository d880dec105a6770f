// Format B (wire-protocol §4): one flat JSON object holding the 15 fields and "payload",
// `Content-Type: application/json`, normally on /v3/collector. Pure decoding, no validation.

import type { Result } from '../errors.ts';
import { decodeBodyText } from './body-text.ts';
import { normaliseHeaderName, readHeaderFields, type HeaderMap } from './headers.ts';
import {
  EXTERNAL_FIELD_KEY,
  RECORD_FIELD_KEYS,
  TID_FIELD_KEY,
  type RecordFieldKey,
  type RawFields,
} from './record.ts';

export const FORMAT_B_BODY_MESSAGE = 'Body must be a JSON object with the record fields and "payload"';

const RECORD_FIELD_KEY_SET: ReadonlySet<string> = new Set<string>(RECORD_FIELD_KEYS);

/**
 * Reads a format B request. Keys match like header names (case-insensitive, `_` ≡ `-`);
 * unknown keys are ignored. The TID and X-CLR-External come from the HTTP headers only.
 *
 * Values (the spec only says the client sends strings, wire-protocol §4.2):
 * - a string is taken as is; a finite number is converted with String() (`4` → `"4"`);
 * - null means "not sent" (a missing payload or a null payload is the empty string, since
 *   the payload column is NOT NULL);
 * - a boolean, object or array is refused with BODY_INVALID naming the key, because
 *   guessing a text for it would store something the sender never meant.
 * When one field appears under two spellings, the first in the object wins (exact duplicate
 * keys follow JSON.parse: the last one wins). Values cut at the first space by the client
 * (§6.3) need nothing here: no rule requires a space.
 */
export function decodeFormatB(headers: HeaderMap, body: Uint8Array): Result<RawFields, 'BODY_INVALID'> {
  const parsed = parseJsonObject(decodeBodyText(body));
  if (parsed === undefined) return { ok: false, code: 'BODY_INVALID', message: FORMAT_B_BODY_MESSAGE };

  const fields: { [K in RecordFieldKey | 'payload']?: string } = {};
  for (const [name, raw] of Object.entries(parsed)) {
    const key = normaliseHeaderName(name);
    if (!isBodyKey(key) || fields[key] !== undefined || raw === null) continue;
    if (typeof raw === 'string') fields[key] = raw;
    else if (typeof raw === 'number') fields[key] = String(raw); // JSON has no NaN or Infinity
    else {
      return {
        ok: false,
        code: 'BODY_INVALID',
        message: `Body key ${JSON.stringify(name)} must be a string, not ${describeJsonType(raw)}`,
      };
    }
  }

  const fromHeaders = readHeaderFields(headers);
  const tid = fromHeaders[TID_FIELD_KEY];
  const external = fromHeaders[EXTERNAL_FIELD_KEY];
  return {
    ok: true,
    value: {
      ...fields,
      payload: fields.payload ?? '',
      ...(tid === undefined ? {} : { [TID_FIELD_KEY]: tid }),
      ...(external === undefined ? {} : { [EXTERNAL_FIELD_KEY]: external }),
    },
  };
}

function isBodyKey(key: string): key is RecordFieldKey | 'payload' {
  return key === 'payload' || RECORD_FIELD_KEY_SET.has(key);
}

function parseJsonObject(text: string): Readonly<Record<string, unknown>> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined; // expected input: the caller answers BODY_INVALID
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  return parsed as Record<string, unknown>;
}

function describeJsonType(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
