// Ingest under concurrency and database outages, over real HTTP: parallel records each
// get their own committed row, retries of one record share one row, and while the
// database is down the collector answers 503 at once and recovers by itself.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load.ts';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createPool } from '../../src/db/pool.ts';
import { buildServer } from '../../src/server.ts';
import { databaseTargets, type DatabaseTarget } from '../helpers/database.ts';
import { sendRequest, type HttpAnswer } from '../helpers/http-requests.ts';
import { buildDistinctRecord, countStoredRecords, type FormatARecord } from '../helpers/ingest-records.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PARALLEL_RECORDS = 300;
const RECOVERY_DEADLINE_MS = 20_000;
const logger = pino({ level: 'silent' });

async function useServer(t: TestContext, target: DatabaseTarget, flags: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer(target, flags);
  t.after(() => server.close());
  return server;
}

function postRecord(baseUrl: string, record: FormatARecord): Promise<HttpAnswer> {
  return sendRequest(baseUrl, { path: '/v2/collector', headers: record.headers, body: record.body });
}

function ingestCounter(metrics: string, outcome: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`telemetrics_ingest_records_total{outcome="${outcome}"`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

for (const target of databaseTargets()) {
  describe(`collector under concurrency (${target.name})`, () => {
    test(`stores ${PARALLEL_RECORDS} records posted in parallel, each under the id it was answered`, async (t) => {
      const server = await useServer(t, target);
      const records = Array.from({ length: PARALLEL_RECORDS }, (_, i) => buildDistinctRecord(`parallel ${i}`));
      const answers = await Promise.all(records.map((record) => postRecord(server.baseUrl, record)));
      assert.deepEqual(answers.filter((a) => a.status !== 201).map((a) => `${a.status} ${a.text}`), []);
      const ids = answers.map((a) => a.json().id as number);
      assert.equal(new Set(ids).size, PARALLEL_RECORDS);
      assert.equal(await countStoredRecords(server.db.pool), PARALLEL_RECORDS);
      const stored = await server.db.pool.query<{ id: string; payload: string }>('SELECT id, payload FROM records');
      const payloadById = new Map(stored.rows.map((r) => [Number(r.id), r.payload]));
      records.forEach((record, i) => assert.equal(payloadById.get(ids[i] as number), record.body, `record ${i} answered id ${ids[i]}`));
    });

    test('stores one row and answers the same id when one record is posted 20 times in parallel and again in sequence', async (t) => {
      const server = await useServer(t, target);
      const record = buildDistinctRecord('retried');
      const parallel = await Promise.all(Array.from({ length: 20 }, () => postRecord(server.baseUrl, record)));
      const sequential: HttpAnswer[] = [];
      for (let i = 0; i < 5; i++) sequential.push(await postRecord(server.baseUrl, record));
      const answers = [...parallel, ...sequential];
      assert.deepEqual(answers.map((a) => a.status), answers.map(() => 201));
      const ids = new Set(answers.map((a) => a.json().id));
      assert.equal(ids.size, 1, `ids ${[...ids].join(', ')}`);
      assert.equal(await countStoredRecords(server.db.pool), 1);
      const metrics = (await sendRequest(server.baseUrl, { method: 'GET', path: '/metrics' })).text;
      assert.equal(ingestCounter(metrics, 'stored'), 1);
      assert.equal(ingestCounter(metrics, 'duplicate'), 24);
    });

    test('stores every copy when the duplicate window is 0', async (t) => {
      const server = await useServer(t, target, { 'ingest.duplicateWindowHours': '0' });
      const record = buildDistinctRecord('no window');
      const answers = await Promise.all(Array.from({ length: 5 }, () => postRecord(server.baseUrl, record)));
      assert.deepEqual(answers.map((a) => a.status), [201, 201, 201, 201, 201]);
      assert.equal(new Set(answers.map((a) => a.json().id)).size, 5);
      assert.equal(await countStoredRecords(server.db.pool), 5);
    });
  });
}

describe('collector while its database is down', () => {
  test('answers 503 DB_UNAVAILABLE with Retry-After while the database is stopped and 201 once it is back', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'telemetrics-outage-'));
    let database: EmbeddedDatabase = await startEmbeddedDatabase({ dataDir, logger });
    const pool = createPool(database.connection, { max: 4 });
    await migrate(pool);
    const config = loadConfig({ flags: { host: '127.0.0.1', port: '0', logLevel: 'silent' }, env: {} });
    const app = await buildServer(config, { pool, logger });
    t.after(async () => {
      await app.close();
      await pool.end();
      await database.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    const before = buildDistinctRecord('before the outage');
    const first = await postRecord(baseUrl, before);
    assert.equal(first.status, 201, first.text);

    await database.stop();
    // sendRequest fails any request not answered within the client's 10 s timeout.
    let unavailable = 0;
    for (let i = 0; i < 3; i++) {
      const res = await postRecord(baseUrl, buildDistinctRecord(`during the outage ${i}`));
      assertUnavailable(res);
      unavailable++;
    }
    const healthz = await sendRequest(baseUrl, { method: 'GET', path: '/healthz' });
    assert.equal(healthz.status, 200);

    database = await startEmbeddedDatabase({ dataDir, logger });
    const after = buildDistinctRecord('after the outage');
    const deadline = Date.now() + RECOVERY_DEADLINE_MS;
    let res = await postRecord(baseUrl, after);
    while (res.status !== 201 && Date.now() < deadline) {
      assertUnavailable(res);
      unavailable++;
      await delay(250); // the writer probes the database once a second
      res = await postRecord(baseUrl, after);
    }
    assert.equal(res.status, 201, `not recovered within ${RECOVERY_DEADLINE_MS} ms: ${res.text}`);

    const rows = await pool.query<{ payload: string }>('SELECT payload FROM records ORDER BY id');
    assert.deepEqual(rows.rows.map((r) => r.payload), [before.body, after.body]);
    const metrics = (await sendRequest(baseUrl, { method: 'GET', path: '/metrics' })).text;
    assert.equal(ingestCounter(metrics, 'stored'), 2);
    assert.equal(ingestCounter(metrics, 'unavailable'), unavailable);
  });
});

describe('collector without a reachable database', () => {
  for (const policy of ['reject', 'quarantine']) {
    test(`answers 503 DB_UNAVAILABLE and counts each record when the database refuses connections (policy ${policy})`, async (t) => {
      const pool = createPool('postgresql://nobody@127.0.0.1:1/none', { max: 2 });
      const config = loadConfig({ flags: { host: '127.0.0.1', port: '0', logLevel: 'silent', 'ingest.invalidRecordPolicy': policy }, env: {} });
      const app = await buildServer(config, { pool, logger });
      t.after(async () => {
        await app.close();
        await pool.end();
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      for (let i = 0; i < 3; i++) assertUnavailable(await postRecord(baseUrl, buildDistinctRecord(`valid ${i}`)));
      const invalid = buildDistinctRecord('invalid');
      const answer = await sendRequest(baseUrl, { path: '/v2/collector', headers: { ...invalid.headers, severity: '9' }, body: invalid.body });
      const metrics = (await sendRequest(baseUrl, { method: 'GET', path: '/metrics' })).text;
      if (policy === 'quarantine') {
        assertUnavailable(answer);
        assert.equal(ingestCounter(metrics, 'unavailable'), 4);
      } else {
        assert.equal(answer.status, 400, answer.text);
        assert.equal(ingestCounter(metrics, 'unavailable'), 3);
        assert.equal(ingestCounter(metrics, 'rejected'), 1);
      }
    });
  }
});

function assertUnavailable(res: HttpAnswer): void {
  assert.equal(res.status, 503, res.text);
  assert.equal(res.headers['retry-after'], '10');
  assert.equal(res.json().code, 'DB_UNAVAILABLE');
  assert.equal(res.json().message, 'The database is unavailable; retry later');
  assert.equal(res.json().requestId, res.headers['x-request-id']);
}
