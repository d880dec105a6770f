// Picks the wire format by Content-Type (wire-protocol §1.2: the only reliable way to
// tell them apart), whatever path the client posted to, and validates the record.

import type { IncomingHttpHeaders } from 'node:http';
import { decodeFormatA } from '../protocol/format-a.ts';
import { decodeFormatB } from '../protocol/format-b.ts';
import type { TelemetryRecord } from '../protocol/record.ts';
import { validateRecord, type ValidationOptions } from '../protocol/rules.ts';

/** Where the ingest plugin keeps the client's Content-Type while fastify parses the body. */
export const ORIGINAL_CONTENT_TYPE = 'x-telemetrics-original-content-type';

export type DecodeOutcome =
  | { ok: true; record: TelemetryRecord }
  | { ok: false; code: 'INGEST_TID_MISMATCH' | 'INGEST_FIELD_INVALID' | 'BODY_INVALID'; message: string; field: string | null };

export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

export function decodeRequest(headers: IncomingHttpHeaders, contentType: string | undefined, body: Buffer, options: ValidationOptions): DecodeOutcome {
  let fields;
  if (isJsonContentType(contentType)) {
    const decoded = decodeFormatB(headers, body);
    if (!decoded.ok) return { ok: false, code: decoded.code, message: decoded.message, field: null };
    fields = decoded.value;
  } else {
    fields = decodeFormatA(headers, body);
  }
  const validated = validateRecord(fields, options);
  if (!validated.ok) return { ok: false, code: validated.code, message: validated.message, field: validated.field };
  return { ok: true, record: validated.value };
}
