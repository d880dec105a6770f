import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { insertRecords, type RecordToInsert } from '../../../src/db/queries/records.ts';
import type { TelemetryRecord } from '../../../src/protocol/record.ts';
import { createTestDatabase, databaseTargets } from '../../helpers/database.ts';

function record(n: number): TelemetryRecord {
  return {
    machineId: `machine-${n % 7}`,
    hostType: 'Intel Corporation|NUC7i5BNH|J31169-310',
    severity: 1 + (n % 4),
    classification: `org.clearlinux/test/n${n}`,
    build: String(31000 + n),
    architecture: 'x86_64',
    kernelVersion: '6.1.0-18',
    recordVersion: 4,
    timestampClient: 1_700_000_000 + n,
    payloadVersion: 1,
    systemName: 'clear-linux-os',
    boardName: 'board',
    biosVersion: 'bios',
    cpuModel: 'cpu',
    eventId: n.toString(16).padStart(32, '0'),
    external: n % 2 === 0,
    // quotes, backslashes, braces and commas were the escaping hazards of the array form
    payload: `line "${n}" \\ {a,b} 'q'\n${'x'.repeat(n % 3000)}`,
  };
}

function rowsFor(from: number, count: number, receivedAt: Date): RecordToInsert[] {
  return Array.from({ length: count }, (_, i) => {
    const r = record(from + i);
    return { record: r, receivedAt, fingerprint: createHash('sha256').update(JSON.stringify(r)).digest() };
  });
}

for (const target of databaseTargets()) {
  describe(`insertRecords (${target.name})`, () => {
    test('stores every field of batches of 1, 64 (named statement), 65 and 300 rows (unnamed), ids in input order', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const receivedAt = new Date();
      let next = 0;
      for (const size of [1, 64, 65, 300, 64]) {
        const rows = rowsFor(next, size, receivedAt);
        next += size;
        for (const windowHours of [48, 0]) {
          const batch = windowHours === 0 ? rowsFor(next, size, receivedAt) : rows;
          if (windowHours === 0) next += size;
          const results = await insertRecords(db.pool, batch, windowHours);
          assert.equal(results.length, size);
          assert.ok(results.every((r) => r.id !== null && !r.duplicate));
          const stored = await db.pool.query(
            `SELECT id::float8 AS id, machine_id, host_type, severity, classification, build, architecture, kernel_version,
               record_version, timestamp_client::float8 AS timestamp_client, payload_version, system_name, board_name,
               bios_version, cpu_model, event_id, external, payload, received_at
             FROM records WHERE id = ANY($1::bigint[])`,
            [results.map((r) => r.id)],
          );
          const byId = new Map(stored.rows.map((row) => [row.id as number, row]));
          batch.forEach(({ record: r }, i) => {
            const row = byId.get(results[i]?.id as number);
            assert.ok(row, `row ${i} of a batch of ${size} is stored under its answered id`);
            assert.deepEqual(
              [row.machine_id, row.host_type, row.severity, row.classification, row.build, row.architecture, row.kernel_version,
                row.record_version, row.timestamp_client, row.payload_version, row.system_name, row.board_name,
                row.bios_version, row.cpu_model, row.event_id, row.external, row.payload, row.received_at.getTime()],
              [r.machineId, r.hostType, r.severity, r.classification, r.build, r.architecture, r.kernelVersion,
                r.recordVersion, r.timestampClient, r.payloadVersion, r.systemName, r.boardName,
                r.biosVersion, r.cpuModel, r.eventId, r.external, r.payload, receivedAt.getTime()],
            );
          });
        }
      }
      const count = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM records');
      assert.equal(count.rows[0]?.n, next);
    });

    test('a fingerprint seen within the window answers the first id as a duplicate, whatever the batch size', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const receivedAt = new Date();
      const first = await insertRecords(db.pool, rowsFor(0, 70, receivedAt), 48);
      // the same 70 records again, mixed with 3 new ones, in a batch of a different size
      const again = await insertRecords(db.pool, [...rowsFor(70, 3, receivedAt), ...rowsFor(0, 70, receivedAt)], 48);
      assert.deepEqual(again.slice(3), first.map((r) => ({ id: r.id, duplicate: true })));
      assert.ok(again.slice(0, 3).every((r) => !r.duplicate && r.id !== null));
      const count = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM records');
      assert.equal(count.rows[0]?.n, 73);
    });
  });
}
