// The shapes that flow through protocol/: the raw fields a decoder reads from a request,
// and the validated record ready to store. Types and the field list only; no logic, no I/O.

/**
 * Canonical keys of the raw fields, in the order of wire-protocol §5 (the 15 record fields),
 * then the TID and external headers, then the payload. A key is the header name after
 * `normaliseHeaderName` (lowercase, `_` turned into `-`), so `machine_id`, `Machine-Id` and
 * the JSON key `machine_id` all land on `machine-id`.
 */
export const RECORD_FIELD_KEYS = [
  'record-format-version',
  'classification',
  'severity',
  'machine-id',
  'creation-timestamp',
  'arch',
  'host-type',
  'build',
  'kernel-version',
  'payload-format-version',
  'system-name',
  'board-name',
  'cpu-model',
  'bios-version',
  'event-id',
] as const;

/** The TID header (wire-protocol §11); always read from the HTTP headers, in both formats. */
export const TID_FIELD_KEY = 'x-telemetry-tid';
/** Set by an intermediary proxy, never by the client (reference §4.3); header only. */
export const EXTERNAL_FIELD_KEY = 'x-clr-external';

export type RecordFieldKey = (typeof RECORD_FIELD_KEYS)[number];
export type HeaderFieldKey = RecordFieldKey | typeof TID_FIELD_KEY | typeof EXTERNAL_FIELD_KEY;
export type FieldKey = HeaderFieldKey | 'payload';

/**
 * What a decoder produced, before validation: canonical key → value as received.
 * A key that is absent (undefined) was not sent; an empty string was sent empty — the
 * reference's required-header check is by presence only (reference §4.2), so the two differ.
 * `payload` is already decoded to text (UTF-8, Latin-1 fallback).
 */
export type RawFields = { readonly [K in FieldKey]?: string };

/** A decoded, validated record, ready to store (reference §4.5, with camelCase names). */
export interface TelemetryRecord {
  readonly machineId: string;
  readonly hostType: string;
  /** 1..4 */
  readonly severity: number;
  /** whole `DOMAIN/PROBE/REST`, never split */
  readonly classification: string;
  /** every `"` and `'` removed */
  readonly build: string;
  readonly architecture: string;
  readonly kernelVersion: string;
  /** 1..4 */
  readonly recordVersion: number;
  /** client creation time, integer epoch seconds, at most 15 digits (a safe integer) */
  readonly timestampClient: number;
  /** fits a PostgreSQL integer column */
  readonly payloadVersion: number;
  /** every `"` and `'` removed; `N/A` for a version-1 record that does not send it */
  readonly systemName: string;
  /** `N/A` below record version 3 */
  readonly boardName: string;
  /** `N/A` below record version 3 */
  readonly biosVersion: string;
  /** `N/A` below record version 3 */
  readonly cpuModel: string;
  /** `N/A` below record version 4 */
  readonly eventId: string;
  /** true only when X-CLR-External is exactly `true` */
  readonly external: boolean;
  /** the body as received (client's trailing `\n` included); never contains U+0000 */
  readonly payload: string;
}

/** A record as read back after the insert: what the 201 answer and the API describe. */
export interface StoredRecord extends TelemetryRecord {
  readonly id: number;
  /** server reception time */
  readonly receivedAt: Date;
}
