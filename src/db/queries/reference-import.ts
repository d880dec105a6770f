// What `telemetrics import-reference` writes into our database: records with their
// imported_records mapping and crash analyses in one statement per batch, and the
// guilty and blacklist merges. Every statement skips what an earlier run wrote.

import type { Queryable } from '../pool.ts';

/** A reference record converted to our columns, with what the import keeps beside it. */
export interface ImportedRecord {
  /** Identifies the source record across runs (imported_records.source_key). */
  sourceKey: Buffer;
  /** The reference's timestamp_server as printed; received_at is computed from it in SQL. */
  timestampServer: string;
  machineId: string;
  hostType: string;
  severity: number;
  classification: string;
  build: string;
  architecture: string;
  kernelVersion: string;
  recordVersion: number;
  timestampClient: number;
  payloadVersion: number;
  systemName: string;
  boardName: string;
  biosVersion: string;
  cpuModel: string;
  eventId: string;
  external: boolean;
  payload: string;
  /** Our guilty id for the reference's guilty of this record: a crash_analysis row is written when set. */
  guiltyId: number | null;
  signature: string | null;
  program: string | null;
  signal: number | null;
}

export interface ImportBatchResult {
  stored: number;
  analysed: number;
}

// received_at = to_timestamp(timestamp_server): float8 resolves an epoch of this size to
// better than half a microsecond, so the reference's six decimals survive exactly.
const INSERT_IMPORTED = `WITH input AS (
  SELECT * FROM unnest(
    $1::bytea[], $2::text[], $3::text[], $4::text[], $5::smallint[], $6::text[], $7::text[], $8::text[],
    $9::text[], $10::smallint[], $11::bigint[], $12::integer[], $13::text[], $14::text[], $15::text[],
    $16::text[], $17::text[], $18::boolean[], $19::text[], $20::integer[], $21::text[], $22::text[], $23::integer[]
  ) WITH ORDINALITY AS t(source_key, timestamp_server, machine_id, host_type, severity, classification, build,
    architecture, kernel_version, record_version, timestamp_client, payload_version, system_name, board_name,
    bios_version, cpu_model, event_id, external, payload, guilty_id, signature, program, signal, ord)
),
fresh AS MATERIALIZED (
  SELECT i.*, to_timestamp(i.timestamp_server::float8) AS received_at, nextval('records_id_seq') AS record_id
  FROM input i
  WHERE NOT EXISTS (SELECT 1 FROM imported_records m WHERE m.source_key = i.source_key)
),
mapped AS (
  INSERT INTO imported_records (source_key, record_id, received_at)
  SELECT source_key, record_id, received_at FROM fresh
  ON CONFLICT (source_key) DO NOTHING
  RETURNING source_key
),
stored AS (
  INSERT INTO records (id, received_at, machine_id, host_type, severity, classification, build, architecture,
    kernel_version, record_version, timestamp_client, payload_version, system_name, board_name, bios_version,
    cpu_model, event_id, external, payload)
  SELECT f.record_id, f.received_at, f.machine_id, f.host_type, f.severity, f.classification, f.build, f.architecture,
    f.kernel_version, f.record_version, f.timestamp_client, f.payload_version, f.system_name, f.board_name,
    f.bios_version, f.cpu_model, f.event_id, f.external, f.payload
  FROM fresh f JOIN mapped m USING (source_key)
  ORDER BY f.ord
  RETURNING id
),
analysed AS (
  INSERT INTO crash_analysis (record_id, received_at, guilty_id, signature, program, signal,
    classification, build, machine_id, system_name, severity, external, timestamp_client)
  SELECT f.record_id, f.received_at, f.guilty_id, f.signature, f.program, f.signal,
    f.classification, f.build, f.machine_id, f.system_name, f.severity, f.external, f.timestamp_client
  FROM fresh f JOIN mapped m USING (source_key)
  WHERE f.guilty_id IS NOT NULL
  RETURNING record_id
)
SELECT (SELECT count(*) FROM stored)::int AS stored, (SELECT count(*) FROM analysed)::int AS analysed`;

/** Stores the records not imported before, their mapping and their crash analyses, in one statement. */
export async function insertImportedRecords(db: Queryable, rows: readonly ImportedRecord[]): Promise<ImportBatchResult> {
  if (rows.length === 0) return { stored: 0, analysed: 0 };
  const column = <K extends keyof ImportedRecord>(key: K) => rows.map((r) => r[key]);
  const result = await db.query<ImportBatchResult>({
    name: 'insert-imported-records',
    text: INSERT_IMPORTED,
    values: [
      column('sourceKey'), column('timestampServer'), column('machineId'), column('hostType'), column('severity'),
      column('classification'), column('build'), column('architecture'), column('kernelVersion'), column('recordVersion'),
      column('timestampClient'), column('payloadVersion'), column('systemName'), column('boardName'), column('biosVersion'),
      column('cpuModel'), column('eventId'), column('external'), column('payload'), column('guiltyId'), column('signature'),
      column('program'), column('signal'),
    ],
  });
  return result.rows[0] ?? { stored: 0, analysed: 0 };
}

/** The distinct UTC days of these reference timestamps: the record partitions a batch needs. */
export async function listReceiveDays(db: Queryable, timestampsServer: readonly string[]): Promise<string[]> {
  const result = await db.query<{ day: string }>(
    `SELECT DISTINCT to_char((to_timestamp(t::float8) AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day
     FROM unnest($1::text[]) AS t ORDER BY 1`,
    [timestampsServer],
  );
  return result.rows.map((r) => r.day);
}

export interface GuiltyToImport {
  function: string;
  module: string;
  comment: string | null;
  hide: boolean;
}

export interface MergedGuilty {
  id: number;
  function: string;
  module: string;
  /** added: new pair; merged: the comment or hidden flag taken over; present: nothing changed. */
  outcome: 'added' | 'merged' | 'present';
}

// New pairs come with their comment and hidden flag. A pair we already have keeps its
// comment unless it has none, and becomes hidden when either side hid it. The UPDATE
// does not see the INSERT's rows (same snapshot), so each pair is counted once.
const MERGE_GUILTIES = `WITH input AS (
  SELECT DISTINCT ON (function, module) function, module, comment, hide
  FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[]) AS t(function, module, comment, hide)
  ORDER BY function, module, hide DESC, comment NULLS LAST
),
added AS (
  INSERT INTO guilty (function, module, comment, hide)
  SELECT i.function, i.module, i.comment, i.hide FROM input i
  WHERE NOT EXISTS (SELECT 1 FROM guilty g WHERE g.function = i.function AND g.module = i.module)
  ON CONFLICT ON CONSTRAINT unique_guilty_constraint DO NOTHING
  RETURNING id, function, module
),
merged AS (
  UPDATE guilty g SET comment = coalesce(g.comment, i.comment), hide = g.hide OR i.hide
  FROM input i
  WHERE g.function = i.function AND g.module = i.module
    AND ((g.comment IS NULL AND i.comment IS NOT NULL) OR (i.hide AND NOT g.hide))
  RETURNING g.id, g.function, g.module
)
SELECT id, function, module, 'added' AS outcome FROM added
UNION ALL
SELECT id, function, module, 'merged' FROM merged
UNION ALL
SELECT g.id, g.function, g.module, 'present' FROM guilty g JOIN input i ON g.function = i.function AND g.module = i.module
WHERE NOT EXISTS (SELECT 1 FROM merged m WHERE m.id = g.id)`;

/** Adds or merges the guilty pairs; answers our id of every pair given. */
export async function mergeImportedGuilties(db: Queryable, guilties: readonly GuiltyToImport[]): Promise<MergedGuilty[]> {
  if (guilties.length === 0) return [];
  const result = await db.query<MergedGuilty>(MERGE_GUILTIES, [
    guilties.map((g) => g.function),
    guilties.map((g) => g.module),
    guilties.map((g) => g.comment),
    guilties.map((g) => g.hide),
  ]);
  return result.rows;
}

/** Adds the blacklist pairs we do not have; answers how many were added. */
export async function insertImportedBlacklist(db: Queryable, pairs: ReadonlyArray<{ function: string; module: string }>): Promise<number> {
  if (pairs.length === 0) return 0;
  const result = await db.query(
    `INSERT INTO guilty_blacklisted (function, module)
     SELECT DISTINCT function, module FROM unnest($1::text[], $2::text[]) AS t(function, module)
     ON CONFLICT ON CONSTRAINT guilty_blacklisted_unique DO NOTHING`,
    [pairs.map((p) => p.function), pairs.map((p) => p.module)],
  );
  return result.rowCount ?? 0;
}
