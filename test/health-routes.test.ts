import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../src/config/load.ts';
import { createPool } from '../src/db/pool.ts';
import { buildServer } from '../src/server.ts';
import { createTestDatabase, databaseTargets } from './helpers/database.ts';

const config = loadConfig({ env: {}, flags: { logLevel: 'silent' } });
const logger = pino({ level: 'silent' });

for (const target of databaseTargets()) {
  describe(`GET /readyz (${target.name})`, () => {
    test('answers 200 when the database answers and the schema is current', async (t) => {
      const db = await createTestDatabase(target);
      const app = await buildServer(config, { pool: db.pool, logger });
      t.after(async () => {
        await app.close();
        await db.drop();
      });
      const res = await app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { status: 'ready', database: 'ok', migrations: 'current' });
    });

    test('answers 503 naming the pending migrations when the schema is not current', async (t) => {
      const db = await createTestDatabase(target, { migrate: false });
      const app = await buildServer(config, { pool: db.pool, logger });
      t.after(async () => {
        await app.close();
        await db.drop();
      });
      const res = await app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(res.statusCode, 503);
      assert.equal(res.json().code, 'DB_UNAVAILABLE');
      assert.match(res.json().message, /pending migrations 0001_create_records/);
      assert.equal(res.headers['retry-after'], '5');
    });
  });
}

describe('GET /readyz without a database', () => {
  test('answers 503 DB_UNAVAILABLE when the database is unreachable', async (t) => {
    const pool = createPool('postgresql://nobody@127.0.0.1:1/none');
    const app = await buildServer(config, { pool, logger });
    t.after(async () => {
      await app.close();
      await pool.end();
    });
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().code, 'DB_UNAVAILABLE');
    assert.match(res.json().message, /^database unreachable/);
  });
});

describe('GET /healthz', () => {
  test('answers 200 while the process is alive, even without a database', async (t) => {
    const pool = createPool('postgresql://nobody@127.0.0.1:1/none');
    const app = await buildServer(config, { pool, logger });
    t.after(async () => {
      await app.close();
      await pool.end();
    });
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().status, 'ok');
  });

  test('unknown routes answer the JSON error body with a request id', async (t) => {
    const pool = createPool('postgresql://nobody@127.0.0.1:1/none');
    const app = await buildServer(config, { pool, logger });
    t.after(async () => {
      await app.close();
      await pool.end();
    });
    const res = await app.inject({ method: 'GET', url: '/no/such/route?x=1' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().code, 'NOT_FOUND');
    assert.equal(res.json().message, 'Route GET /no/such/route not found');
    assert.equal(res.json().requestId, res.headers['x-request-id']);
  });
});
