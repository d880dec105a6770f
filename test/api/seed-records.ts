// Seeds the records table directly with SQL for the API tests: rows with explicit
// fields and receive times (partitions created as needed), and bulk rows from
// generate_series. Also builds a test server for the API.

import type { Queryable } from '../../src/db/pool.ts';

export interface SeedRecord {
  /** written to event_id so that tests can name rows; defaults to '' */
  label: string;
  receivedAt: Date;
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
  external: boolean;
  payload: string;
}

const DAY_MS = 86_400_000;

export function defaultSeedRecord(): SeedRecord {
  const now = new Date();
  return {
    label: '',
    receivedAt: now,
    machineId: 'machine-1',
    hostType: 'host|type|1',
    severity: 2,
    classification: 'org.clearlinux/hello/world',
    build: '17700',
    architecture: 'x86_64',
    kernelVersion: '6.1.0-1.native',
    recordVersion: 4,
    timestampClient: Math.floor(now.getTime() / 1000),
    payloadVersion: 1,
    systemName: 'clear-linux-os',
    boardName: 'board',
    biosVersion: 'bios',
    cpuModel: 'cpu',
    external: false,
    payload: 'payload\n',
  };
}

/** Creates daily partitions so that rows received between `from` and `to` find one. */
export async function ensurePartitions(db: Queryable, from: Date, to: Date): Promise<void> {
  const days = Math.ceil((to.getTime() - from.getTime()) / DAY_MS) + 2;
  await db.query('SELECT ensure_record_partitions($1::date, $2::int)', [from.toISOString().slice(0, 10), days]);
}

/** Inserts rows (missing fields from defaultSeedRecord) in one statement; returns their ids in order. */
export async function insertSeedRecords(db: Queryable, rows: readonly Partial<SeedRecord>[]): Promise<number[]> {
  const full = rows.map((r) => ({ ...defaultSeedRecord(), ...r }));
  const times = full.map((r) => r.receivedAt.getTime());
  await ensurePartitions(db, new Date(Math.min(...times)), new Date(Math.max(...times)));
  const column = <K extends keyof SeedRecord>(key: K) => full.map((r) => r[key]);
  const result = await db.query<{ id: number }>(
    `INSERT INTO records (event_id, received_at, machine_id, host_type, severity, classification, build, architecture,
       kernel_version, record_version, timestamp_client, payload_version, system_name, board_name, bios_version, cpu_model,
       external, payload)
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::smallint[], $6::text[], $7::text[],
       $8::text[], $9::text[], $10::smallint[], $11::bigint[], $12::int[], $13::text[], $14::text[], $15::text[], $16::text[],
       $17::boolean[], $18::text[])
     RETURNING id::float8 AS id`,
    [
      column('label'), column('receivedAt'), column('machineId'), column('hostType'), column('severity'), column('classification'),
      column('build'), column('architecture'), column('kernelVersion'), column('recordVersion'), column('timestampClient'),
      column('payloadVersion'), column('systemName'), column('boardName'), column('biosVersion'), column('cpuModel'),
      column('external'), column('payload'),
    ],
  );
  return result.rows.map((r) => r.id);
}

/**
 * Inserts `count` generated rows received within the last hour in one INSERT … SELECT
 * generate_series. Payloads vary with i and contain commas, quotes, newlines, backslashes
 * and non-ASCII text, so that exports have something to escape.
 */
export async function insertGeneratedRecords(db: Queryable, count: number): Promise<void> {
  await ensurePartitions(db, new Date(Date.now() - DAY_MS), new Date());
  await db.query(
    `INSERT INTO records (received_at, machine_id, host_type, severity, classification, build, architecture, kernel_version,
       record_version, timestamp_client, payload_version, system_name, board_name, bios_version, cpu_model, event_id,
       external, payload)
     SELECT now() - (i % 3600) * interval '1 second', 'machine-' || (i % 97), 'host|' || (i % 5), 1 + i % 4,
       'org.clearlinux/' || (ARRAY['crash', 'heartbeat', 'swupd'])[1 + i % 3] || '/probe' || (i % 4),
       (30000 + i % 11)::text, 'x86_64', '6.1.' || i, 4, 1700000000 + i, 1, 'clear-linux-os', 'board,' || i, 'bios "' || i || '"',
       'cpu', md5(i::text), i % 2 = 0,
       CASE i % 5
         WHEN 0 THEN 'plain ' || i
         WHEN 1 THEN 'comma, "quote" ' || i || E'\\nsecond line\\r\\nthird'
         WHEN 2 THEN 'back\\slash ' || i || E'\\ttab'
         WHEN 3 THEN 'ünïcödé ✓ 😀 ' || i
         ELSE '' END
     FROM generate_series(1, $1::int) AS i`,
    [count],
  );
}
