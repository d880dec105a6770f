import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runPurge } from '../../src/processing/retention-purge.ts';
import { insertAgedRecords, listRecordIds } from '../helpers/aged-records.ts';
import { databaseTargets } from '../helpers/database.ts';
import { sendRequest } from '../helpers/http-requests.ts';
import { buildDistinctRecord } from '../helpers/ingest-records.ts';
import { startTestServer } from '../helpers/server.ts';

const HELLO = 'org.clearlinux/hello/world';

for (const target of databaseTargets()) {
  describe(`runPurge while the collector stores records (${target.name})`, () => {
    test('loses no record acknowledged during the purge and deletes every expired one', async (t) => {
      const server = await startTestServer(target, { 'retention.enabled': 'false' });
      t.after(() => server.close());
      const pool = server.db.pool;
      const now = new Date();
      const expired = [
        ...Array.from({ length: 3000 }, (_, i) => ({ ageDays: 2 + (i % 20) / 10, classification: HELLO })),
        ...Array.from({ length: 2000 }, (_, i) => ({ ageDays: 40 + (i % 3) })),
      ];
      await insertAgedRecords(pool, now, expired);
      const young = await insertAgedRecords(pool, now, Array.from({ length: 500 }, (_, i) => ({ ageDays: 2 + (i % 20) / 10 })));

      let purging = true;
      const acknowledged: string[] = [];
      const post = async () => {
        // keep posting until the purge has finished and each client sent at least 25 records
        for (let sent = 0; purging || sent < 25; sent++) {
          const record = buildDistinctRecord('during purge');
          const res = await sendRequest(server.baseUrl, { path: '/v2/collector', headers: record.headers, body: record.body });
          assert.equal(res.status, 201, res.text);
          acknowledged.push(String(res.json().id));
        }
      };
      const clients = Array.from({ length: 4 }, post);
      const report = await runPurge(pool, { rules: [{ field: 'classification', value: HELLO, days: 1 }], maxDays: 35, now: new Date(), batchSize: 200 }).finally(() => (purging = false));
      await Promise.all(clients);

      assert.equal(report.records, expired.length);
      const stored = new Set(await listRecordIds(pool));
      assert.equal(stored.size, young.length + acknowledged.length);
      for (const id of [...young, ...acknowledged]) assert.ok(stored.has(id), `record ${id} was lost`);
    });
  });
}
