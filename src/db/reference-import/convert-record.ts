// Turns a reference record into our columns: the reference application's defaults
// for its nullable columns (reference-backend §6.1), received_at from
// timestamp_server, and the source key that makes a second import add nothing. No I/O.

import { createHash } from 'node:crypto';
import type { ImportedRecord } from '../queries/reference-import.ts';
import type { ReferenceRecordRow } from './reference-reads.ts';

const SMALLINT_MAX = 32_767;
const INTEGER_MAX = 2_147_483_647;
// 1990-01-01 .. 2100-01-01: anything else is no reception time a PostgreSQL partition should get.
const MIN_EPOCH = 631_152_000;
const MAX_EPOCH = 4_102_444_800;

export type ConvertedRecord = { ok: true; value: Omit<ImportedRecord, 'guiltyId' | 'signature' | 'program' | 'signal'> } | { ok: false; reason: string };

export function convertReferenceRecord(row: ReferenceRecordRow): ConvertedRecord {
  const server = row.timestampServer === null ? Number.NaN : Number(row.timestampServer);
  if (!Number.isFinite(server) || server < MIN_EPOCH || server >= MAX_EPOCH) {
    return { ok: false, reason: `timestamp_server ${row.timestampServer ?? 'NULL'} is not an epoch between 1990 and 2100` };
  }
  const severity = row.severity ?? 0;
  const recordVersion = row.recordVersion ?? 0;
  if (Math.abs(severity) > SMALLINT_MAX) return { ok: false, reason: `severity ${severity} does not fit a smallint` };
  if (Math.abs(recordVersion) > SMALLINT_MAX) return { ok: false, reason: `record_version ${recordVersion} does not fit a smallint` };
  const payloadVersion = row.payloadVersion ?? 0;
  if (Math.abs(payloadVersion) > INTEGER_MAX) return { ok: false, reason: `payload_version ${payloadVersion} does not fit an integer` };

  return {
    ok: true,
    value: {
      sourceKey: referenceSourceKey(row),
      timestampServer: row.timestampServer as string,
      machineId: row.machineId ?? '',
      hostType: row.hostType ?? '',
      severity,
      classification: row.classification ?? '',
      build: row.build ?? '',
      architecture: row.architecture ?? '',
      // reference §6.1: the application's default kernel_version is '0'
      kernelVersion: row.kernelVersion ?? '0',
      recordVersion,
      timestampClient: clientTimestamp(row.timestampClient, server),
      payloadVersion,
      systemName: row.systemName ?? '',
      boardName: row.boardName ?? '',
      biosVersion: row.biosVersion ?? '',
      cpuModel: row.cpuModel ?? '',
      eventId: row.eventId ?? '',
      external: row.external ?? false,
      payload: row.payload ?? (row.payloadBytes ? decodePayload(row.payloadBytes) : ''),
    },
  };
}

/**
 * SHA-256 of the reference id, timestamp_server and machine id: the same record read again
 * (even through another URL, or after the reference's 2018 conversion) has the same key.
 */
export function referenceSourceKey(row: Pick<ReferenceRecordRow, 'id' | 'timestampServer' | 'machineId'>): Buffer {
  return createHash('sha256')
    .update(`telemetrics-backend record\u0000${row.id}\u0000${row.timestampServer ?? ''}\u0000${row.machineId ?? ''}`)
    .digest();
}

/** timestamp_client as whole seconds; the server time when missing or unusable. */
function clientTimestamp(text: string | null, server: number): number {
  const value = text === null ? Number.NaN : Math.trunc(Number(text));
  return Number.isSafeInteger(value) ? value : Math.trunc(server);
}

/** The normalised era's payload bytes: UTF-8, else Latin-1 (as ingest decodes bodies), without NUL. */
function decodePayload(bytes: Buffer): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = bytes.toString('latin1');
  }
  return text.replaceAll('\u0000', '\ufffd');
}
