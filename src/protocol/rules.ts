// The reference ingest validation (reference §4.4): the same checks, in the same order, with
// the same messages, plus the deliberate fixes of reference §15 items 5 and 6. Pure; never throws.
// Over 300 lines on purpose: the 18 steps stay one readable function in reference order.

import { parsePythonInt } from './python-int.ts';
import type { FieldKey, RawFields, TelemetryRecord } from './record.ts';

export type ValidationCode = 'INGEST_TID_MISMATCH' | 'INGEST_FIELD_INVALID';

/** A failed validation; `field` is the canonical header name, for the error body's `details`. */
export interface ValidationFailure {
  readonly ok: false;
  readonly code: ValidationCode;
  readonly message: string;
  readonly field: string;
}

/** Assignable to `Result<TelemetryRecord, ValidationCode>`, with the failing field added. */
export type ValidationResult = { readonly ok: true; readonly value: TelemetryRecord } | ValidationFailure;

export interface ValidationOptions {
  /** TIDs to accept (reference §4.4 step 1), or 'any' to skip the TID check entirely. */
  readonly acceptedTids: readonly string[] | 'any';
}

/** The reference's exact 400 messages, and ours for the cases it answered with 500. */
export const VALIDATION_MESSAGES = {
  tidMismatch: 'Telemetry ID mismatch',
  recordFormatVersionInvalid: 'Record-Format-Version is invalid',
  severityInvalid: 'severity value is out of range',
  classificationInvalid: 'Classification value is invalid',
  machineIdInvalid: 'Machine id value is invalid',
  timestampInvalid: 'timestamp is invalid',
  architectureInvalid: 'architecture is invalid',
  hostTypeInvalid: 'host type is invalid',
  kernelVersionInvalid: 'kernel version is invalid',
  boardNameInvalid: 'board name is invalid',
  cpuModelInvalid: 'cpu model is invalid',
  biosVersionInvalid: 'BIOS version is invalid',
  eventIdInvalid: 'Event id is invalid',
  clearLinuxBuildInvalid: 'Clear Linux OS build version has invalid characters',
  buildInvalid: 'Build version has invalid characters',
  payloadFormatVersionOutOfRange: 'Payload format version outside of range supported',
  payloadNulByte: 'payload contains a NUL byte',
} as const;

/** Step 3: `Record-Format-Version headers are invalid, <Header> missing`. */
export function formatMissingHeaderMessage(header: string): string {
  return `Record-Format-Version headers are invalid, ${header} missing`;
}

/** A validator that raised in the reference: `Error parsing <validator-key>, <explanation>`. */
export function formatParseErrorMessage(validatorKey: string, explanation: string): string {
  return `Error parsing ${validatorKey}, ${explanation}`;
}

/** New: PostgreSQL text cannot hold U+0000, so the reference failed with 500 (§15 item 5). */
export function formatNulByteMessage(header: string): string {
  return `${header} contains a NUL byte`;
}

export const POSTGRES_INT_MAX = 2147483647;
export const POSTGRES_INT_MIN = -2147483648;
/** reference MAXLEN_PRINTABLE: v3 fields must be shorter */
export const MAXLEN_PRINTABLE = 200;
export const HOST_TYPE_MAX_LENGTH_EXCLUSIVE = 250;
export const MACHINE_ID_MAX_LENGTH = 32;
/** ours: 15 digits is a safe integer and fits a bigint column; the reference had no bound */
export const TIMESTAMP_MAX_DIGITS = 15;
export const VALID_RECORD_FORMAT_VERSIONS: readonly number[] = [1, 2, 3, 4];
export const VALID_ARCHITECTURES: readonly string[] = [
  'armv7l', 'armv6l', 'aarch64', 'amd64', 'sparc64', 'ppc64', 'i686', 'i386', 'x86_64', 'ppc',
];
/** Stored for fields the record version does not carry (reference §4.5). */
export const NOT_APPLICABLE = 'N/A';

/** Canonical header names, spelled as in the reference's REQUIRED_HEADERS constants. */
export const FIELD_HEADER_NAMES: { readonly [K in Exclude<FieldKey, 'payload'>]: string } = {
  'record-format-version': 'Record-Format-Version',
  classification: 'Classification',
  severity: 'Severity',
  'machine-id': 'Machine-Id',
  'creation-timestamp': 'Creation-Timestamp',
  arch: 'Arch',
  'host-type': 'Host-Type',
  build: 'Build',
  'kernel-version': 'Kernel-Version',
  'payload-format-version': 'Payload-Format-Version',
  'system-name': 'System-Name',
  'board-name': 'Board-Name',
  'cpu-model': 'Cpu-Model',
  'bios-version': 'Bios-Version',
  'event-id': 'Event-Id',
  'x-telemetry-tid': 'X-Telemetry-Tid',
  'x-clr-external': 'X-CLR-External',
};

type HeaderKey = keyof typeof FIELD_HEADER_NAMES;

// reference REQUIRED_HEADERS_V1..V4, in their list order (the first missing one is named).
const REQUIRED_V1: readonly HeaderKey[] = [
  'arch', 'build', 'creation-timestamp', 'classification', 'host-type', 'kernel-version',
  'machine-id', 'severity', 'record-format-version',
];
const REQUIRED_V2: readonly HeaderKey[] = [...REQUIRED_V1, 'payload-format-version', 'system-name', 'x-telemetry-tid'];
const REQUIRED_V3: readonly HeaderKey[] = [...REQUIRED_V2, 'board-name', 'bios-version', 'cpu-model'];
const REQUIRED_V4: readonly HeaderKey[] = [...REQUIRED_V3, 'event-id'];
const REQUIRED_HEADERS: readonly (readonly HeaderKey[])[] = [REQUIRED_V1, REQUIRED_V2, REQUIRED_V3, REQUIRED_V4];

const ASCII_DIGITS = /^[0-9]+$/;
// Python string.printable: ASCII letters, digits, punctuation, space and \t\n\r\x0b\x0c.
const PYTHON_PRINTABLE = /^[\x20-\x7e\t\n\r\x0b\x0c]*$/;
const EVENT_ID = /^[0-9a-f]{32}$/;
const CLEAR_LINUX_BUILD = /^[0-9]+$/;
const BUILD = /^[-_a-zA-Z0-9.]+$/;
const QUOTES = /["']/g;

/**
 * Validates decoded fields into a record, in reference order (first failure wins).
 * Deliberate differences from the reference, each marked where it happens:
 * the version is compared as a number after step 2 (§15 item 6: `04` is version 4 and its
 * required headers are checked); a version-1 record may omit System-Name and
 * Payload-Format-Version (§15 item 5); "digits" means ASCII 0-9 (Python's isdigit also takes
 * `²`, then crashed in int()); values containing U+0000 are refused after every reference step.
 */
export function validateRecord(fields: RawFields, options: ValidationOptions): ValidationResult {
  // Step 1: the TID, checked first for every version (reference §4.4 notes).
  const tid = fields['x-telemetry-tid'];
  if (options.acceptedTids !== 'any' && (tid === undefined || !options.acceptedTids.includes(tid))) {
    return fail('INGEST_TID_MISMATCH', VALIDATION_MESSAGES.tidMismatch, 'x-telemetry-tid');
  }

  // Step 2.
  const versionText = fields['record-format-version'];
  const version = versionText !== undefined && ASCII_DIGITS.test(versionText) ? Number(versionText) : NaN;
  if (!VALID_RECORD_FORMAT_VERSIONS.includes(version)) {
    return invalid(VALIDATION_MESSAGES.recordFormatVersionInvalid, 'record-format-version');
  }

  // Step 3, by presence only (an empty value passes). reference §15 item 6: the set is chosen
  // by the number, so `04` no longer skips this check.
  for (const key of REQUIRED_HEADERS[version - 1] ?? REQUIRED_V4) {
    if (fields[key] === undefined) return invalid(formatMissingHeaderMessage(FIELD_HEADER_NAMES[key]), key);
  }

  // Step 4.
  const severityText = fields.severity ?? '';
  const severity = ASCII_DIGITS.test(severityText) ? Number(severityText) : NaN;
  if (!(severity >= 1 && severity <= 4)) return invalid(VALIDATION_MESSAGES.severityInvalid, 'severity');

  // Step 5: exactly three parts; empty parts and any length allowed.
  const classification = fields.classification;
  if (classification === undefined || classification.split('/').length !== 3) {
    return invalid(VALIDATION_MESSAGES.classificationInvalid, 'classification');
  }

  // Step 6: any characters, empty allowed. Lengths count code points, as Python's len().
  const machineId = fields['machine-id'];
  if (machineId === undefined || countCodePoints(machineId) > MACHINE_ID_MAX_LENGTH) {
    return invalid(VALIDATION_MESSAGES.machineIdInvalid, 'machine-id');
  }

  // Step 7. The digit bound is ours: the reference had none.
  const timestampText = fields['creation-timestamp'] ?? '';
  if (!ASCII_DIGITS.test(timestampText) || timestampText.length > TIMESTAMP_MAX_DIGITS) {
    return invalid(VALIDATION_MESSAGES.timestampInvalid, 'creation-timestamp');
  }

  // Step 8 (reception time) belongs to the collector: it is not part of the record.

  // Step 9: case-sensitive list.
  const architecture = fields.arch ?? '';
  if (!VALID_ARCHITECTURES.includes(architecture)) return invalid(VALIDATION_MESSAGES.architectureInvalid, 'arch');

  // Step 10.
  const hostType = fields['host-type'];
  if (hostType === undefined || countCodePoints(hostType) >= HOST_TYPE_MAX_LENGTH_EXCLUSIVE) {
    return invalid(VALIDATION_MESSAGES.hostTypeInvalid, 'host-type');
  }

  // Step 11: Python's split('.', 2) must give three pieces, the first two all digits.
  const kernelVersion = fields['kernel-version'] ?? '';
  if (!isValidKernelVersion(kernelVersion)) return invalid(VALIDATION_MESSAGES.kernelVersionInvalid, 'kernel-version');

  // Step 12, in this order. reference §15 item 6: `version >= 3` as a number, not a string.
  let boardName = NOT_APPLICABLE;
  let cpuModel = NOT_APPLICABLE;
  let biosVersion = NOT_APPLICABLE;
  if (version >= 3) {
    const board = fields['board-name'];
    if (!isPrintableField(board)) return invalid(VALIDATION_MESSAGES.boardNameInvalid, 'board-name');
    const cpu = fields['cpu-model'];
    if (!isPrintableField(cpu)) return invalid(VALIDATION_MESSAGES.cpuModelInvalid, 'cpu-model');
    const bios = fields['bios-version'];
    if (!isPrintableField(bios)) return invalid(VALIDATION_MESSAGES.biosVersionInvalid, 'bios-version');
    [boardName, cpuModel, biosVersion] = [board, cpu, bios];
  }

  // Step 13.
  let eventId = NOT_APPLICABLE;
  if (version >= 4) {
    const sent = fields['event-id'];
    if (sent === undefined || !EVENT_ID.test(sent)) return invalid(VALIDATION_MESSAGES.eventIdInvalid, 'event-id');
    eventId = sent;
  }

  // Step 14. The reference crashed (500) when System-Name was absent, reachable only with
  // version 1, which "has no payload_format_version, no system_name" (wire-protocol §13):
  // such a record is stored with system_name `N/A` instead.
  const systemName = removeQuotes(fields['system-name'] ?? NOT_APPLICABLE);

  // Step 15, ruled by the cleaned system name. Python's `$` would also accept one trailing
  // `\n`; JS's does not. Node cannot deliver a newline inside a header value, so only a
  // format B value differs, and a build ending in a newline is not one worth storing.
  const build = removeQuotes(fields.build ?? '');
  if (systemName === 'clear-linux-os') {
    if (!CLEAR_LINUX_BUILD.test(build)) return invalid(VALIDATION_MESSAGES.clearLinuxBuildInvalid, 'build');
  } else if (!BUILD.test(build)) {
    return invalid(VALIDATION_MESSAGES.buildInvalid, 'build');
  }

  // Step 16: Python int() semantics ("accepts a sign and `_` separators"). Absent only in a
  // version-1 record (see step 14): the client default, 1 (wire-protocol §14.4).
  const payloadVersionText = fields['payload-format-version'];
  let payloadVersion = 1;
  if (payloadVersionText !== undefined) {
    const parsed = parsePythonInt(payloadVersionText);
    if (!parsed.ok) {
      return invalid(formatParseErrorMessage('payload_format_version', parsed.explanation), 'payload-format-version');
    }
    // The reference only checked `< POSTGRES_INT_MAX`; the lower bound keeps the int column from overflowing.
    if (parsed.value >= BigInt(POSTGRES_INT_MAX) || parsed.value < BigInt(POSTGRES_INT_MIN)) {
      return invalid(VALIDATION_MESSAGES.payloadFormatVersionOutOfRange, 'payload-format-version');
    }
    payloadVersion = Number(parsed.value);
  }

  // Step 17: case-sensitive.
  const external = fields['x-clr-external'] === 'true';

  // Step 18: the decoder already turned the body into text.
  const payload = fields.payload ?? '';

  // New last step: every stored text that the rules above let through with any character.
  const freeText: readonly [HeaderKey, string][] = [
    ['classification', classification],
    ['machine-id', machineId],
    ['host-type', hostType],
    ['kernel-version', kernelVersion],
    ['system-name', systemName],
  ];
  for (const [key, value] of freeText) {
    if (value.includes('\u0000')) return invalid(formatNulByteMessage(FIELD_HEADER_NAMES[key]), key);
  }
  if (payload.includes('\u0000')) return invalid(VALIDATION_MESSAGES.payloadNulByte, 'payload');

  return {
    ok: true,
    value: {
      machineId,
      hostType,
      severity,
      classification,
      build,
      architecture,
      kernelVersion,
      recordVersion: version,
      timestampClient: Number(timestampText),
      payloadVersion,
      systemName,
      boardName,
      biosVersion,
      cpuModel,
      eventId,
      external,
      payload,
    },
  };
}

function fail(code: ValidationCode, message: string, key: FieldKey): ValidationFailure {
  return { ok: false, code, message, field: key === 'payload' ? 'payload' : FIELD_HEADER_NAMES[key] };
}

function invalid(message: string, key: FieldKey): ValidationFailure {
  return fail('INGEST_FIELD_INVALID', message, key);
}

function isValidKernelVersion(value: string): boolean {
  const firstDot = value.indexOf('.');
  const secondDot = firstDot < 0 ? -1 : value.indexOf('.', firstDot + 1);
  if (secondDot < 0) return false;
  return ASCII_DIGITS.test(value.slice(0, firstDot)) && ASCII_DIGITS.test(value.slice(firstDot + 1, secondDot));
}

function isPrintableField(value: string | undefined): value is string {
  return value !== undefined && value.length < MAXLEN_PRINTABLE && PYTHON_PRINTABLE.test(value);
}

function removeQuotes(value: string): string {
  return value.replace(QUOTES, '');
}

function countCodePoints(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}
