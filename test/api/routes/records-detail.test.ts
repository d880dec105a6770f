import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { databaseTargets } from '../../helpers/database.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { insertSeedRecords } from '../seed-records.ts';

const DAY = 86_400_000;

for (const target of databaseTargets()) {
  describe(`GET /api/records/{id} (${target.name})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(target);
    });
    after(() => server.close());

    test('answers the record with processed, guilty and signature null before crash analysis', async () => {
      const [id] = await insertSeedRecords(server.db.pool, [{ label: 'plain', payload: 'p' }]);
      const res = await server.inject({ url: `/api/records/${id}` });
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.equal(body.id, id);
      assert.equal(body.event_id, 'plain');
      assert.equal(body.processed, null);
      assert.equal(body.guilty, null);
      assert.equal(body.signature, null);
      const listed = await server.inject({ url: `/api/records?from_id=${id}&before_id=${(id ?? 0) + 1}` });
      assert.deepEqual({ ...listed.json().records[0], processed: null, guilty: null, signature: null }, body);
    });

    test('joins the crash analysis and its guilty once they exist', async () => {
      const [id] = await insertSeedRecords(server.db.pool, [{ classification: 'test/manual/analysis', payload: 'not analysed by the crash processor' }]);
      const guilty = await server.db.pool.query<{ id: number }>("INSERT INTO guilty (function, module) VALUES ('crash_here', 'libx.so') RETURNING id");
      const guiltyId = guilty.rows[0]?.id;
      await server.db.pool.query(
        "INSERT INTO crash_analysis (record_id, received_at, guilty_id, signature, classification, build, machine_id, system_name, severity, external, timestamp_client) SELECT id, received_at, $2, 'sig-1', classification, build, machine_id, system_name, severity, external, timestamp_client FROM records WHERE id = $1",
        [id, guiltyId],
      );
      const body = (await server.inject({ url: `/api/records/${id}` })).json();
      assert.equal(body.processed, true);
      assert.deepEqual(body.guilty, { id: guiltyId, function: 'crash_here', module: 'libx.so' });
      assert.equal(body.signature, 'sig-1');
    });

    test('answers 404 NOT_FOUND for an id no record has', async () => {
      const res = await server.inject({ url: '/api/records/987654321' });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().code, 'NOT_FOUND');
      assert.equal(res.json().message, 'Record 987654321 not found');
    });

    test('answers 400 naming id for an id that is not a number or too large', async () => {
      for (const id of ['abc', '-1', '1.5', '99999999999999999999']) {
        const res = await server.inject({ url: `/api/records/${id}` });
        assert.equal(res.statusCode, 400, id);
        assert.equal(res.json().code, 'QUERY_PARAM_INVALID');
        assert.equal(res.json().details[0].field, 'id');
      }
    });
  });

  describe(`GET /api/machines/{machine_id}/records (${target.name})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(target);
      await insertSeedRecords(server.db.pool, [
        { label: 'a1', machineId: 'machine-a', severity: 1 },
        { label: 'b1', machineId: 'machine-b' },
        { label: 'a2', machineId: 'machine-a', severity: 3 },
        { label: 'a-old', machineId: 'machine-a', receivedAt: new Date(Date.now() - 45 * DAY) },
      ]);
    });
    after(() => server.close());

    const labels = async (url: string) => (await server.inject({ url })).json().records.map((r: { event_id: string }) => r.event_id);

    test('answers the records of that machine only, newest first, within 30 days by default', async () => {
      assert.deepEqual(await labels('/api/machines/machine-a/records'), ['a2', 'a1']);
    });

    test('takes the other filters, and the path wins over a machine_id parameter', async () => {
      assert.deepEqual(await labels('/api/machines/machine-a/records?severity=3&machine_id=machine-b'), ['a2']);
      assert.deepEqual(await labels('/api/machines/machine-a/records?received_from=0&limit=1000'), ['a-old', 'a2', 'a1']);
    });

    test('answers 400 for a machine id longer than 32 characters', async () => {
      const res = await server.inject({ url: `/api/machines/${'m'.repeat(33)}/records` });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().message, 'Machine id value is invalid');
      assert.equal(res.json().details[0].field, 'machine_id');
    });

    test('answers an empty list for an unknown machine', async () => {
      assert.deepEqual(await labels('/api/machines/nobody/records'), []);
    });
  });
}
