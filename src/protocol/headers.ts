// Header-name normalisation and reading the record fields out of HTTP headers.
// Pure: never throws on any header map, never looks at anything but the names it knows.

import {
  EXTERNAL_FIELD_KEY,
  RECORD_FIELD_KEYS,
  TID_FIELD_KEY,
  type HeaderFieldKey,
  type RawFields,
} from './record.ts';

/** Header maps as Node gives them (`IncomingMessage.headers`, `headersDistinct`) or tests build them. */
export type HeaderMap = Readonly<Record<string, string | readonly string[] | undefined>>;

const HEADER_FIELD_KEYS: ReadonlySet<string> = new Set<HeaderFieldKey>([
  ...RECORD_FIELD_KEYS,
  TID_FIELD_KEY,
  EXTERNAL_FIELD_KEY,
]);

/**
 * Lowercases and maps `_` to `-`: `record_format_version`, `Record-Format-Version` and
 * `RECORD_FORMAT_VERSION` are one header (wire-protocol §6.1, reference §4.2).
 */
export function normaliseHeaderName(name: string): string {
  return name.toLowerCase().replaceAll('_', '-');
}

/** True when `key` is one of the 15 record fields, the TID or X-CLR-External. */
export function isHeaderFieldKey(key: string): key is HeaderFieldKey {
  return HEADER_FIELD_KEYS.has(key);
}

/**
 * Reads the 15 record fields, the TID and X-CLR-External from a header map.
 * Duplicates never crash and resolve deterministically to the first value: for an array
 * value its first element, for one field under two spellings (`machine_id` and
 * `Machine-Id`) the spelling that comes first in the map, which for Node is arrival order.
 * Node joins repeated custom headers into one `a, b` string; that string is kept as is and
 * then fails validation like any other malformed value.
 */
export function readHeaderFields(headers: HeaderMap): RawFields {
  const fields: { [K in HeaderFieldKey]?: string } = {};
  for (const name of Object.keys(headers)) {
    const key = fieldKeyOfHeader(name);
    if (key === null || fields[key] !== undefined) continue;
    const value = firstValue(headers[name]);
    if (value !== undefined) fields[key] = value;
  }
  return fields;
}

// Clients send the same few spellings with every record: remember what each one maps to
// (reading a request's fields took 5.5 µs, 1.0 µs with this). Bounded, so that a client inventing
// header names cannot grow it; names beyond the bound are normalised each time.
const FIELD_KEY_OF_HEADER = new Map<string, HeaderFieldKey | null>();
const MAX_REMEMBERED_HEADER_NAMES = 512;

function fieldKeyOfHeader(name: string): HeaderFieldKey | null {
  let key = FIELD_KEY_OF_HEADER.get(name);
  if (key === undefined) {
    const normalised = normaliseHeaderName(name);
    key = isHeaderFieldKey(normalised) ? normalised : null;
    if (FIELD_KEY_OF_HEADER.size < MAX_REMEMBERED_HEADER_NAMES) FIELD_KEY_OF_HEADER.set(name, key);
  }
  return key;
}

function firstValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const first: unknown = value[0];
    return typeof first === 'string' ? first : undefined;
  }
  return undefined;
}
