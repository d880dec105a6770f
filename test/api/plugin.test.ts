import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { apiPlugin } from '../../src/api/plugin.ts';
import { loadConfig } from '../../src/config/load.ts';
import { registerErrorHandlers } from '../../src/error-handler.ts';
import { createTestDatabase, databaseTargets } from '../helpers/database.ts';
import { insertGeneratedRecords } from './seed-records.ts';

const config = loadConfig({ env: {}, flags: { logLevel: 'silent', 'api.statementTimeoutMs': '1' } });

for (const target of databaseTargets()) {
  describe(`apiPlugin statement timeout (${target.name})`, () => {
    test('cancels queries slower than api.statementTimeoutMs: 400 naming the regex when there is one, else 503 with Retry-After', async (t) => {
      const db = await createTestDatabase(target);
      const app = Fastify();
      registerErrorHandlers(app);
      await app.register(apiPlugin, { config, pool: db.pool });
      t.after(async () => {
        await app.close();
        await db.drop();
      });
      await insertGeneratedRecords(db.pool, 50_000);

      const regex = await app.inject({ url: '/api/records?received_from=0&payload=nothing%20matches%20this' });
      assert.equal(regex.statusCode, 400, regex.body);
      assert.equal(regex.json().code, 'QUERY_PARAM_INVALID');
      assert.equal(regex.json().details[0].field, 'payload');

      const plain = await app.inject({ url: '/api/stats/population?classification=*&system_name=*&created_from=0' });
      assert.equal(plain.statusCode, 503, plain.body);
      assert.equal(plain.json().code, 'DB_UNAVAILABLE');
      assert.equal(plain.headers['retry-after'], '10');

      const exported = await app.inject({ url: '/api/export/records.csv?not_payload=x' });
      assert.equal(exported.statusCode, 400);
      assert.equal(exported.json().details[0].field, 'not_payload');
    });
  });
}
