// SQL that reads records for the query API: filtered pages (newest first, keyset on id),
// one record with its crash analysis. Export walks the same pages.

import type { StoredRecord } from '../../protocol/record.ts';
import type { Queryable } from '../pool.ts';
import { buildRecordFilterSql, type RecordFilter } from './record-filter.ts';

/** A record as read for the API, with the exact receive time as epoch seconds text. */
export interface RecordRow extends StoredRecord {
  /** received_at as epoch seconds with up to 6 decimals, e.g. `1583452345.123456` */
  readonly receivedEpoch: string;
}

export interface CrashAnalysisRow {
  signature: string | null;
  guilty: { id: number; function: string; module: string } | null;
}

interface RawRecordRow {
  id: number;
  received_epoch: string;
  machine_id: string;
  host_type: string;
  severity: number;
  classification: string;
  build: string;
  architecture: string;
  kernel_version: string;
  record_version: number;
  timestamp_client: number;
  payload_version: number;
  system_name: string;
  board_name: string;
  bios_version: string;
  cpu_model: string;
  event_id: string;
  external: boolean;
  payload: string;
}

// received_at is read once, as exact epoch text; the Date is derived from it (cheaper than
// parsing a timestamptz per row).
const RECORD_COLUMNS = `r.id::float8 AS id,
  trim_scale(extract(epoch FROM r.received_at)::numeric(20, 6))::text AS received_epoch,
  r.machine_id, r.host_type, r.severity, r.classification, r.build, r.architecture, r.kernel_version,
  r.record_version, r.timestamp_client::float8 AS timestamp_client, r.payload_version, r.system_name,
  r.board_name, r.bios_version, r.cpu_model, r.event_id, r.external, r.payload`;

/** The newest `limit` records matching the filter, by id descending. */
export async function listRecords(db: Queryable, filter: RecordFilter, limit: number): Promise<RecordRow[]> {
  const params: unknown[] = [];
  const where = buildRecordFilterSql(filter, params, 'r');
  const sql = `SELECT ${RECORD_COLUMNS} FROM records r WHERE ${where} ORDER BY r.id DESC LIMIT $${params.push(limit)}::int`;
  const result = await db.query<RawRecordRow>(sql, params);
  return result.rows.map(toRecordRow);
}

/** One record by id with its crash analysis (guilty and signature; null until analysed), or null. */
export async function findRecordById(db: Queryable, id: bigint): Promise<{ record: RecordRow; analysis: CrashAnalysisRow | null } | null> {
  const result = await db.query<RawRecordRow & AnalysisColumns>(
    `SELECT ${RECORD_COLUMNS}, ca.record_id IS NOT NULL AS analysed, ca.signature,
       g.id AS guilty_id, g.function AS guilty_function, g.module AS guilty_module
     FROM records r
     LEFT JOIN crash_analysis ca ON ca.record_id = r.id
     LEFT JOIN guilty g ON g.id = ca.guilty_id
     WHERE r.id = $1::bigint
     LIMIT 1`,
    [String(id)],
  );
  const row = result.rows[0];
  if (!row) return null;
  const guilty = row.guilty_id === null ? null : { id: row.guilty_id, function: row.guilty_function ?? '', module: row.guilty_module ?? '' };
  const analysis = row.analysed ? { signature: row.signature, guilty } : null;
  return { record: toRecordRow(row), analysis };
}

interface AnalysisColumns {
  analysed: boolean;
  signature: string | null;
  guilty_id: number | null;
  guilty_function: string | null;
  guilty_module: string | null;
}

function toRecordRow(r: RawRecordRow): RecordRow {
  return {
    id: r.id,
    receivedAt: new Date(Number(r.received_epoch) * 1000),
    receivedEpoch: r.received_epoch,
    machineId: r.machine_id,
    hostType: r.host_type,
    severity: r.severity,
    classification: r.classification,
    build: r.build,
    architecture: r.architecture,
    kernelVersion: r.kernel_version,
    recordVersion: r.record_version,
    timestampClient: r.timestamp_client,
    payloadVersion: r.payload_version,
    systemName: r.system_name,
    boardName: r.board_name,
    biosVersion: r.bios_version,
    cpuModel: r.cpu_model,
    eventId: r.event_id,
    external: r.external,
    payload: r.payload,
  };
}
