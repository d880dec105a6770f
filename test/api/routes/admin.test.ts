import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { databaseTargets } from '../../helpers/database.ts';
import { sendRequest } from '../../helpers/http-requests.ts';
import { buildDistinctRecord, countStoredRecords } from '../../helpers/ingest-records.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';

async function post(server: TestServer, machineId: string): Promise<number> {
  const record = buildDistinctRecord(machineId);
  const res = await sendRequest(server.baseUrl, { method: 'POST', path: '/v2/collector', headers: { ...record.headers, machine_id: machineId }, body: record.body });
  assert.equal(res.status, 201, res.text);
  return res.json().id as number;
}

for (const target of databaseTargets()) {
  describe(`DELETE /api/machines/{machine_id}/records (${target.name})`, () => {
    test('deletes every record of that machine and no other, reporting the counts', async (t) => {
      const server = await startTestServer(target);
      t.after(() => server.close());
      for (let i = 0; i < 3; i++) await post(server, 'forget-me');
      const kept = await post(server, 'keep-me');
      const res = await server.request({ method: 'DELETE', path: '/api/machines/forget-me/records' });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json().machine_id, 'forget-me');
      const { deleted } = res.json() as { deleted: { records: number; fingerprints: number } };
      assert.equal(deleted.records, 3);
      assert.equal(deleted.fingerprints, 3);
      assert.equal(await countStoredRecords(server.db.pool), 1);
      const left = await server.request({ method: 'GET', path: `/api/records/${kept}` });
      assert.equal(left.status, 200, `${kept} ${left.text}`);
      const again = await server.request({ method: 'DELETE', path: '/api/machines/forget-me/records' });
      assert.equal((again.json() as { deleted: { records: number } }).deleted.records, 0);
    });

    test('answers 400 naming machine_id when the id is longer than 32 characters', async (t) => {
      const server = await startTestServer(target);
      t.after(() => server.close());
      const res = await server.request({ method: 'DELETE', path: `/api/machines/${'x'.repeat(33)}/records` });
      assert.equal(res.status, 400, res.text);
      assert.equal((res.json() as { code: string }).code, 'QUERY_PARAM_INVALID');
      assert.equal((res.json() as { details: Array<{ field: string }> }).details[0]?.field, 'machine_id');
    });
  });
}
