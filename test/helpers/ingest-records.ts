// Valid format A records for ingest tests, distinct from each other, and reading them
// back from the records table.

import { randomBytes } from 'node:crypto';
import type { Queryable } from '../../src/db/pool.ts';
import { buildRecordV4, type Headers } from '../protocol/reference-records.ts';

export interface FormatARecord {
  headers: Headers;
  body: string;
}

/** A valid v4 record (reference fixture) with its own event id and payload: never a duplicate of another. */
export function buildDistinctRecord(label = 'record'): FormatARecord {
  const eventId = randomBytes(16).toString('hex');
  return {
    headers: { ...buildRecordV4(), 'Event-Id': eventId, 'Content-Type': 'application/text' },
    body: `${label} ${eventId}\n`,
  };
}

/** A records row as the tests read it back (bigint columns as text, like pg returns them). */
export interface StoredRow {
  id: string;
  received_at: Date;
  machine_id: string;
  host_type: string;
  severity: number;
  classification: string;
  build: string;
  architecture: string;
  kernel_version: string;
  record_version: number;
  timestamp_client: string;
  payload_version: number;
  system_name: string;
  board_name: string;
  bios_version: string;
  cpu_model: string;
  event_id: string;
  external: boolean;
  payload: string;
}

export async function findStoredRecord(db: Queryable, id: unknown): Promise<StoredRow | undefined> {
  const result = await db.query<StoredRow>('SELECT * FROM records WHERE id = $1', [id]);
  return result.rows[0];
}

export async function countStoredRecords(db: Queryable): Promise<number> {
  const result = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM records');
  return result.rows[0]?.n ?? 0;
}
