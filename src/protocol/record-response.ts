// The body of the 201 answer to an accepted record (reference §4.6): the stored record,
// keys in alphabetical order, timestamps as `YYYY-MM-DD HH:MM:SS UTC`. Pure; never throws.

import type { StoredRecord } from './record.ts';

/** The reference keys plus `payload_version` and `system_name`, in alphabetical order. */
export interface RecordResponse {
  arch: string;
  bios_version: string;
  board_name: string;
  build: string;
  classification: string;
  cpu_model: string;
  event_id: string;
  external: boolean;
  id: number;
  kernel_version: string;
  machine_id: string;
  /** the host type, under its v1.1.0 name */
  machine_type: string;
  payload: string;
  payload_version: number;
  /** v1.1.0 name; the reference tests read it */
  record_format_version: number;
  /** later reference name; same value */
  record_version: number;
  severity: number;
  system_name: string;
  ts_capture: string;
  ts_reception: string;
}

const SECONDS_PER_DAY = 86_400;

/** Builds the 201 body. Key order is the insertion order below, so JSON.stringify keeps it. */
export function formatRecordResponse(row: StoredRecord): RecordResponse {
  return {
    arch: row.architecture,
    bios_version: row.biosVersion,
    board_name: row.boardName,
    build: row.build,
    classification: row.classification,
    cpu_model: row.cpuModel,
    event_id: row.eventId,
    external: row.external,
    id: row.id,
    kernel_version: row.kernelVersion,
    machine_id: row.machineId,
    machine_type: row.hostType,
    payload: row.payload,
    payload_version: row.payloadVersion,
    record_format_version: row.recordVersion,
    record_version: row.recordVersion,
    severity: row.severity,
    system_name: row.systemName,
    ts_capture: formatUtcTimestamp(row.timestampClient),
    ts_reception: formatUtcTimestamp(row.receivedAt.getTime() / 1000),
  };
}

/**
 * Formats epoch seconds as `YYYY-MM-DD HH:MM:SS UTC`, dropping fractions like Python's
 * strftime. Integer calendar arithmetic instead of Date, so the whole validated timestamp
 * range (15 digits, far past Date's year 275760) formats instead of throwing: the reference
 * inserted the record and then failed with 500 while formatting (reference §15 item 4).
 * A non-finite input (an invalid Date) gives `invalid date`.
 */
export function formatUtcTimestamp(epochSeconds: number): string {
  if (!Number.isFinite(epochSeconds)) return 'invalid date';
  const seconds = Math.floor(epochSeconds);
  const days = Math.floor(seconds / SECONDS_PER_DAY);
  const secondOfDay = seconds - days * SECONDS_PER_DAY;
  const { year, month, day } = civilFromDays(days);
  const hh = Math.floor(secondOfDay / 3600);
  const mm = Math.floor((secondOfDay % 3600) / 60);
  const ss = secondOfDay % 60;
  const yyyy = year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
  return `${yyyy}-${pad(month, 2)}-${pad(day, 2)} ${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)} UTC`;
}

// Howard Hinnant's days_from_civil inverse: days since 1970-01-01 → proleptic Gregorian date.
function civilFromDays(daysSinceEpoch: number): { year: number; month: number; day: number } {
  const z = daysSinceEpoch + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
