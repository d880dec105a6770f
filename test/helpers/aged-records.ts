// Records received N days ago, inserted straight into the records table (with the
// day partitions they need), for retention and forget tests.

import type { Queryable } from '../../src/db/pool.ts';

export const DAY_MS = 86_400_000;

export interface AgedRecord {
  /** Days before `now` the record was received (fractions allowed). */
  ageDays: number;
  severity?: number;
  classification?: string;
  machineId?: string;
}

/** Inserts the records, received `ageDays` before `now` (client time too); returns their ids in order. */
export async function insertAgedRecords(db: Queryable, now: Date, records: readonly AgedRecord[]): Promise<string[]> {
  if (records.length === 0) return [];
  const times = records.map((r) => new Date(now.getTime() - r.ageDays * DAY_MS));
  await ensurePartitionsCovering(db, times);
  const result = await db.query<{ id: string }>(
    `INSERT INTO records (received_at, machine_id, host_type, severity, classification, build, architecture,
       kernel_version, record_version, timestamp_client, payload_version, system_name, board_name, bios_version,
       cpu_model, event_id, payload)
     SELECT t.received_at, t.machine_id, 'host', t.severity, t.classification, '31000', 'x86_64', '6.1', 4,
       floor(extract(epoch FROM t.received_at))::bigint, 1, 'clear-linux-os', 'board', 'bios', 'cpu', '', 'payload'
     FROM unnest($1::timestamptz[], $2::text[], $3::smallint[], $4::text[]) WITH ORDINALITY
       AS t(received_at, machine_id, severity, classification, ord)
     ORDER BY t.ord
     RETURNING id::text AS id`,
    [times, records.map((r) => r.machineId ?? 'machine-a'), records.map((r) => r.severity ?? 2), records.map((r) => r.classification ?? 'test/test/one')],
  );
  return result.rows.map((r) => r.id);
}

/** Creates every day partition from the oldest time to the newest. */
export async function ensurePartitionsCovering(db: Queryable, times: readonly Date[]): Promise<void> {
  const utcDays = times.map((t) => Math.floor(t.getTime() / DAY_MS));
  const first = Math.min(...utcDays);
  const days = Math.max(...utcDays) - first + 1;
  await db.query('SELECT ensure_record_partitions($1::date, $2::int)', [new Date(first * DAY_MS).toISOString().slice(0, 10), days]);
}

/** Ids of the records still stored, as text, sorted numerically. */
export async function listRecordIds(db: Queryable): Promise<string[]> {
  const result = await db.query<{ id: string }>('SELECT id::text AS id FROM records ORDER BY records.id');
  return result.rows.map((r) => r.id);
}

/** Names of the day partitions attached to records. */
export async function listPartitionNames(db: Queryable): Promise<string[]> {
  const result = await db.query<{ name: string }>(
    "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'records'::regclass ORDER BY 1",
  );
  return result.rows.map((r) => r.name);
}

export function partitionNameOf(at: Date): string {
  return `records_p${at.toISOString().slice(0, 10).replaceAll('-', '')}`;
}
