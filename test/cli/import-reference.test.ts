// Over 300 lines: the two reference schemas' DDL and a record of every kind are spelled out here.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Queryable } from '../../src/db/pool.ts';
import { referenceSourceKey } from '../../src/db/reference-import/convert-record.ts';
import { openReferencePool } from '../../src/db/reference-import/reference-reads.ts';
import { runCli } from '../helpers/cli.ts';
import { createTestDatabase, databaseTargets, type TestDatabase } from '../helpers/database.ts';
import { readCrashFixture } from '../processing/crash-records.ts';

// The reference's flat schema at its last commit (reference-backend §6.1, §6.2; revision ac1c5921bf2f).
const FLAT_SCHEMA = `
CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY);
CREATE TABLE guilty (
  id serial PRIMARY KEY, function varchar, module varchar, comment varchar, hide boolean NOT NULL,
  CONSTRAINT unique_guilty_constraint UNIQUE (function, module));
CREATE TABLE guilty_blacklisted (id serial PRIMARY KEY, function varchar, module varchar);
CREATE TABLE records (
  id serial PRIMARY KEY, architecture text, bios_version text, board_name text, build text NOT NULL,
  classification text NOT NULL, cpu_model text, event_id text, external boolean, host_type text,
  kernel_version text, machine_id text, payload_version integer, record_version integer, severity integer,
  system_name text, timestamp_client numeric, timestamp_server numeric NOT NULL, payload text NOT NULL,
  processed boolean, guilty_id integer REFERENCES guilty (id));
INSERT INTO alembic_version VALUES ('ac1c5921bf2f');`;

// The v1.1.0 normalised schema (reference-backend §6.6; revision cb72058cf4e4).
const NORMALISED_SCHEMA = `
CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY);
CREATE TABLE build (id serial PRIMARY KEY, build varchar);
CREATE TABLE classification (id serial PRIMARY KEY, classification varchar, domain varchar, probe varchar);
CREATE TABLE guilty (id serial PRIMARY KEY, function varchar, module varchar, comment varchar, hide boolean);
CREATE TABLE guilty_blacklisted (id serial PRIMARY KEY, function varchar, module varchar);
CREATE TABLE records (
  id serial PRIMARY KEY, severity integer, machine varchar, machine_id varchar, architecture varchar,
  kernel_version varchar, os_name varchar, record_format_version integer, payload_format_version integer,
  payload bytea, tsp integer, tsp_server integer, buildstamp varchar, backtrace varchar, dupe_of integer,
  dupecount integer, dupemaster boolean, security boolean, hide boolean, processed boolean, icon varchar,
  classification_id integer REFERENCES classification (id), build_id integer REFERENCES build (id),
  guilty_id integer REFERENCES guilty (id), external boolean, bios_version varchar, board_name varchar,
  cpu_model varchar, event_id varchar);
INSERT INTO alembic_version VALUES ('cb72058cf4e4');`;

const CRASH = 'org.clearlinux/crash/clr';
const CRASH_PAYLOAD = readCrashFixture('crash-clr-spec-example.txt');

/** A reference record in flat-schema terms; absent keys are inserted as NULL. */
interface ReferenceRecord {
  architecture?: string | null;
  bios_version?: string | null;
  board_name?: string | null;
  build: string;
  classification: string;
  cpu_model?: string | null;
  event_id?: string | null;
  external?: boolean | null;
  host_type?: string | null;
  kernel_version?: string | null;
  machine_id?: string | null;
  payload_version?: number | null;
  record_version?: number | null;
  severity?: number | null;
  system_name?: string | null;
  timestamp_client?: string | null;
  timestamp_server: string;
  payload: string;
  processed?: boolean;
  guilty_id?: number | null;
}

const FLAT_COLUMNS = [
  'architecture', 'bios_version', 'board_name', 'build', 'classification', 'cpu_model', 'event_id', 'external', 'host_type',
  'kernel_version', 'machine_id', 'payload_version', 'record_version', 'severity', 'system_name', 'timestamp_client',
  'timestamp_server', 'payload', 'processed', 'guilty_id',
] as const;

function full(version: number, overrides: Partial<ReferenceRecord> & Pick<ReferenceRecord, 'timestamp_server'>): ReferenceRecord {
  const na = (min: number, value: string) => (version >= min ? value : 'N/A');
  return {
    architecture: 'x86_64',
    bios_version: na(3, 'BIOS 1.2'),
    board_name: na(3, 'NUC7i5BNB|Intel Corporation'),
    build: '31000',
    classification: 'org.clearlinux/heartbeat/ping',
    cpu_model: na(3, 'Intel(R) Core(TM) i5-7260U'),
    event_id: na(4, '0123456789abcdef0123456789abcdef'),
    external: false,
    host_type: 'Intel Corporation|NUC7i5BNB|J31169-307',
    kernel_version: '5.4.19-902.native',
    machine_id: `machine-v${version}`,
    payload_version: 1,
    record_version: version,
    severity: 1,
    system_name: 'clear-linux-os',
    timestamp_client: '1699999000',
    payload: 'hello\n',
    processed: false,
    guilty_id: null,
    ...overrides,
  };
}

async function insertFlatRecords(db: Queryable, records: readonly ReferenceRecord[]): Promise<void> {
  for (const r of records) {
    await db.query(
      `INSERT INTO records (${FLAT_COLUMNS.join(', ')}) VALUES (${FLAT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
      FLAT_COLUMNS.map((c) => r[c] ?? null),
    );
  }
}

/** Our row for a reference record, found through imported_records. */
async function findImported(db: Queryable, id: number, r: Pick<ReferenceRecord, 'timestamp_server' | 'machine_id'>) {
  const key = referenceSourceKey({ id, timestampServer: r.timestamp_server, machineId: r.machine_id ?? null });
  const result = await db.query(
    `SELECT r.id::float8 AS id, extract(epoch FROM r.received_at)::text AS received, r.machine_id, r.host_type, r.severity,
       r.classification, r.build, r.architecture, r.kernel_version, r.record_version, r.timestamp_client::float8 AS timestamp_client,
       r.payload_version, r.system_name, r.board_name, r.bios_version, r.cpu_model, r.event_id, r.external, r.payload,
       a.guilty_id, a.signature, a.program, a.signal, g.function AS guilty_function, g.module AS guilty_module
     FROM imported_records m JOIN records r ON r.id = m.record_id AND r.received_at = m.received_at
     LEFT JOIN crash_analysis a ON a.record_id = r.id
     LEFT JOIN guilty g ON g.id = a.guilty_id
     WHERE m.source_key = $1`,
    [key],
  );
  return result.rows[0] as Record<string, unknown> | undefined;
}

/** What the import must make of a reference record (the defaults of docs/deploy.md). */
function expectedColumns(r: ReferenceRecord) {
  return {
    machine_id: r.machine_id ?? '',
    host_type: r.host_type ?? '',
    severity: r.severity ?? 0,
    classification: r.classification,
    build: r.build,
    architecture: r.architecture ?? '',
    kernel_version: r.kernel_version ?? '0',
    record_version: r.record_version ?? 0,
    timestamp_client: r.timestamp_client === null || r.timestamp_client === undefined ? Math.trunc(Number(r.timestamp_server)) : Math.trunc(Number(r.timestamp_client)),
    payload_version: r.payload_version ?? 0,
    system_name: r.system_name ?? '',
    board_name: r.board_name ?? '',
    bios_version: r.bios_version ?? '',
    cpu_model: r.cpu_model ?? '',
    event_id: r.event_id ?? '',
    external: r.external ?? false,
    payload: r.payload,
  };
}

async function counts(db: Queryable) {
  const result = await db.query(
    `SELECT (SELECT count(*) FROM records)::int AS records, (SELECT count(*) FROM imported_records)::int AS mapped,
       (SELECT count(*) FROM guilty)::int AS guilty, (SELECT count(*) FROM guilty_blacklisted)::int AS blacklist,
       (SELECT count(*) FROM crash_analysis)::int AS analyses, (SELECT count(*) FROM crash_signatures)::int AS signatures`,
  );
  return result.rows[0] as Record<string, number>;
}

function importReference(reference: TestDatabase, ours: TestDatabase, batchSize = 7) {
  return runCli(['import-reference', '--from', reference.url, '--database-url', ours.url, '--batch-size', String(batchSize), '--log-level', 'warn']);
}

for (const target of databaseTargets()) {
  describe(`telemetrics import-reference (${target.name})`, () => {
    test('imports a flat-schema database field by field, then adds nothing on a second run', async (t) => {
      const reference = await createTestDatabase(target, { migrate: false });
      const ours = await createTestDatabase(target);
      t.after(async () => {
        await reference.drop();
        await ours.drop();
      });
      await reference.pool.query(FLAT_SCHEMA);
      await reference.pool.query(`INSERT INTO guilty (function, module, comment, hide) VALUES
        ('parse_item', '/usr/bin/exampled', NULL, false),
        ('hidden_fn', '/usr/bin/other', 'fixed in 31010', true),
        ('merge_fn', 'libm.so.6', 'taken over by the import', true),
        ('no_module_fn', NULL, NULL, false)`);
      await reference.pool.query(`INSERT INTO guilty_blacklisted (function, module) VALUES
        ('raise', 'libc.so.6'), ('abort', 'libc.so.6'), ('raise', 'libc.so.6')`);
      // Ours already knows one pair and one blacklist entry: the import merges into them.
      await ours.pool.query("INSERT INTO guilty (function, module) VALUES ('merge_fn', 'libm.so.6'), ('ours_only', 'x.so')");
      await ours.pool.query("INSERT INTO guilty_blacklisted (function, module) VALUES ('abort', 'libc.so.6')");

      const special: ReferenceRecord[] = [
        full(4, { timestamp_server: '1700000000.123456' }),
        full(4, { timestamp_server: '1700000100.5', classification: CRASH, severity: 4, payload: CRASH_PAYLOAD, processed: true, guilty_id: 1, machine_id: 'crash-guilty' }),
        full(4, { timestamp_server: '1700000200', classification: CRASH, severity: 4, payload: CRASH_PAYLOAD, processed: true, guilty_id: 2, machine_id: 'crash-hidden' }),
        full(4, { timestamp_server: '1700000300', classification: CRASH, severity: 4, payload: CRASH_PAYLOAD, processed: false, machine_id: 'crash-unprocessed' }),
        full(4, { timestamp_server: '1700000400', external: true, machine_id: 'external-machine' }),
        full(1, { timestamp_server: '1700000500', system_name: 'N/A' }),
        full(2, { timestamp_server: '1700000600' }),
        full(3, { timestamp_server: '1700000700' }),
        // Every nullable column NULL: the reference application's defaults.
        {
          build: '30000', classification: 'org.clearlinux/swupd/error', timestamp_server: '1600000000.000001', payload: 'nulls',
          architecture: null, bios_version: null, board_name: null, cpu_model: null, event_id: null, external: null, host_type: null,
          kernel_version: null, machine_id: null, payload_version: null, record_version: null, severity: null, system_name: null,
          timestamp_client: null, guilty_id: null,
        },
        // No reception time PostgreSQL could place: skipped and reported.
        full(4, { timestamp_server: '0', machine_id: 'no-time' }),
      ];
      const bulk = Array.from({ length: 40 }, (_, i) =>
        full(4, { timestamp_server: String(1_710_000_000 + i * 9_000), machine_id: `bulk-${i}`, payload: `payload ${i} "quoted" \\ ünïcode\n` }),
      );
      await insertFlatRecords(reference.pool, [...special, ...bulk]);

      const first = await importReference(reference, ours);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /reference schema ac1c5921bf2f \(2020-02, flat schema/);
      assert.match(first.stderr, /records: 50\/50 read \(100%\), 49 imported/);
      assert.match(first.stdout, /records: {3}50 read, 49 imported, 0 already imported, 1 skipped/);
      assert.match(first.stdout, /with the reference's guilty: 2 imported with it/);
      assert.match(first.stdout, /guilty: {4}4 read, 3 added, 1 merged .*, 0 already present/);
      assert.match(first.stdout, /blacklist: 3 read, 1 added, 1 already present/);
      assert.match(first.stdout, /skipped reference record 10: timestamp_server 0 is not an epoch/);
      assert.match(first.stdout, /receive days: 2020-09-13 \.\. 2024-03-\d\d/);
      assert.match(first.stdout, /WARNING: records received before .* retention\.maxDays \(35\)/);

      const all = [...special, ...bulk];
      for (const [i, r] of all.entries()) {
        const row = await findImported(ours.pool, i + 1, r);
        if (r.machine_id === 'no-time') {
          assert.equal(row, undefined);
          continue;
        }
        assert.ok(row, `reference record ${i + 1} imported`);
        assert.equal(Number(row.received), Number(r.timestamp_server), `received_at of reference record ${i + 1}`);
        const { id: _id, received: _received, guilty_id: _g, signature: _s, program: _p, signal: _sig, guilty_function: _f, guilty_module: _m, ...columns } = row;
        assert.deepEqual(columns, expectedColumns(r), `columns of reference record ${i + 1}`);
      }

      const guilty = await findImported(ours.pool, 2, special[1] as ReferenceRecord);
      assert.equal(guilty?.guilty_function, 'parse_item');
      assert.equal(guilty?.guilty_module, '/usr/bin/exampled');
      assert.equal(guilty?.program, '/usr/bin/exampled');
      assert.equal(guilty?.signal, 11);
      assert.match(String(guilty?.signature), /\S/);
      const signature = await ours.pool.query('SELECT frames FROM crash_signatures WHERE signature = $1', [guilty?.signature]);
      assert.equal(signature.rowCount, 1);
      assert.equal((await findImported(ours.pool, 3, special[2] as ReferenceRecord))?.guilty_function, 'hidden_fn');
      // Never analysed by the reference: left to the server's crash processor.
      assert.equal((await findImported(ours.pool, 4, special[3] as ReferenceRecord))?.guilty_id, null);
      assert.equal((await ours.pool.query("SELECT 1 FROM records r JOIN crash_analysis a ON a.record_id = r.id WHERE r.machine_id = 'crash-unprocessed'")).rowCount, 0);

      const guilties = await ours.pool.query('SELECT function, module, comment, hide FROM guilty ORDER BY function, module');
      assert.deepEqual(guilties.rows, [
        { function: 'hidden_fn', module: '/usr/bin/other', comment: 'fixed in 31010', hide: true },
        { function: 'merge_fn', module: 'libm.so.6', comment: 'taken over by the import', hide: true },
        { function: 'no_module_fn', module: '', comment: null, hide: false },
        { function: 'ours_only', module: 'x.so', comment: null, hide: false },
        { function: 'parse_item', module: '/usr/bin/exampled', comment: null, hide: false },
      ]);
      const blacklist = await ours.pool.query('SELECT function, module FROM guilty_blacklisted ORDER BY function, module');
      assert.deepEqual(blacklist.rows, [
        { function: 'abort', module: 'libc.so.6' },
        { function: 'raise', module: 'libc.so.6' },
      ]);
      const partitions = await ours.pool.query("SELECT 1 FROM pg_class WHERE relname IN ('records_p20200913', 'records_p20231114')");
      assert.equal(partitions.rowCount, 2);

      const before = await counts(ours.pool);
      const second = await importReference(reference, ours, 1000);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /records: {3}50 read, 0 imported, 49 already imported, 1 skipped/);
      assert.match(second.stdout, /guilty: {4}4 read, 0 added, 0 merged .*, 4 already present/);
      assert.match(second.stdout, /blacklist: 3 read, 0 added, 2 already present/);
      assert.deepEqual(await counts(ours.pool), before);
    });

    test('imports a normalised-schema database, reading payloads kept only as bytes', async (t) => {
      const reference = await createTestDatabase(target, { migrate: false });
      const ours = await createTestDatabase(target);
      t.after(async () => {
        await reference.drop();
        await ours.drop();
      });
      await reference.pool.query(NORMALISED_SCHEMA);
      await reference.pool.query(`
        INSERT INTO build (build) VALUES ('20000'), ('21000');
        INSERT INTO classification (classification) VALUES ('org.clearlinux/heartbeat/ping'), ('${CRASH}');
        INSERT INTO guilty (function, module, comment, hide) VALUES ('parse_item', '/usr/bin/exampled', 'old comment', NULL);
        INSERT INTO guilty_blacklisted (function, module) VALUES ('raise', 'libc.so.6');`);
      const insert = `INSERT INTO records (severity, machine, machine_id, architecture, kernel_version, os_name,
          record_format_version, payload_format_version, payload, tsp, tsp_server, backtrace, processed,
          classification_id, build_id, guilty_id, external, bios_version, board_name, cpu_model, event_id)
        VALUES ($1, 'host', $2, 'x86_64', '4.14.0', 'clear-linux-os', 4, 1, $3, 1520000000, $4, $5, $6, $7, $8, $9, false, 'bios', 'board', 'cpu', 'ev')`;
      await reference.pool.query(insert, [1, 'text-payload', null, 1520000100, 'as text\n', false, 1, 1, null]);
      await reference.pool.query(insert, [2, 'latin1-payload', Buffer.from('caf\xe9\n', 'latin1'), 1520000200, null, false, 1, 2, null]);
      await reference.pool.query(insert, [4, 'crash', Buffer.from(CRASH_PAYLOAD), 1520000300, CRASH_PAYLOAD, true, 2, 2, 1]);

      const result = await importReference(reference, ours);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /reference schema cb72058cf4e4 \(2018-03, normalised schema with event_id/);
      assert.match(result.stdout, /records: {3}3 read, 3 imported/);
      const rows = await ours.pool.query(
        `SELECT r.machine_id, r.host_type, r.build, r.classification, r.system_name, r.payload, r.timestamp_client::float8 AS tc,
           extract(epoch FROM r.received_at)::float8 AS received, r.event_id, g.function AS guilty, g.comment
         FROM records r LEFT JOIN crash_analysis a ON a.record_id = r.id LEFT JOIN guilty g ON g.id = a.guilty_id ORDER BY r.machine_id`,
      );
      assert.deepEqual(rows.rows, [
        { machine_id: 'crash', host_type: 'host', build: '21000', classification: CRASH, system_name: 'clear-linux-os', payload: CRASH_PAYLOAD, tc: 1520000000, received: 1520000300, event_id: 'ev', guilty: 'parse_item', comment: 'old comment' },
        { machine_id: 'latin1-payload', host_type: 'host', build: '21000', classification: 'org.clearlinux/heartbeat/ping', system_name: 'clear-linux-os', payload: 'café\n', tc: 1520000000, received: 1520000200, event_id: 'ev', guilty: null, comment: null },
        { machine_id: 'text-payload', host_type: 'host', build: '20000', classification: 'org.clearlinux/heartbeat/ping', system_name: 'clear-linux-os', payload: 'as text\n', tc: 1520000000, received: 1520000100, event_id: 'ev', guilty: null, comment: null },
      ]);
      const again = await importReference(reference, ours);
      assert.match(again.stdout, /records: {3}3 read, 0 imported, 3 already imported/);
    });

    test('refuses a database that is not a reference database, and changes nothing', async (t) => {
      const other = await createTestDatabase(target, { migrate: false });
      const ours = await createTestDatabase(target);
      t.after(async () => {
        await other.drop();
        await ours.drop();
      });
      const result = await importReference(other, ours);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /not a telemetrics-backend database: it has no alembic_version table/);
      assert.equal((await counts(ours.pool)).records, 0);
    });

    test('reads the reference database through sessions that cannot write', async (t) => {
      const reference = await createTestDatabase(target, { migrate: false });
      const pool = openReferencePool(reference.url);
      t.after(async () => {
        await pool.end();
        await reference.drop();
      });
      await assert.rejects(pool.query('CREATE TABLE written (a int)'), /read-only transaction/);
    });
  });
}
