import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createApiToken } from '../../src/auth/accounts.ts';
import { databaseTargets } from '../helpers/database.ts';
import { startTestServer } from '../helpers/server.ts';

for (const target of databaseTargets()) {
  describe(`query API rate limit (${target.name})`, () => {
    test('answers 429 RATE_LIMITED with Retry-After past the limit, counting each token apart', async (t) => {
      const server = await startTestServer(target, { 'auth.queryRateLimit': '3' });
      t.after(() => server.close());
      for (let i = 0; i < 3; i++) assert.equal((await server.inject({ url: '/api/stats/builds' })).statusCode, 200);
      const limited = await server.inject({ url: '/api/stats/builds' });
      assert.equal(limited.statusCode, 429, limited.body);
      assert.equal(limited.json().code, 'RATE_LIMITED');
      assert.ok(Number(limited.headers['retry-after']) > 0);
      const { secret } = await createApiToken(server.db.pool, 'other', 'viewer');
      assert.equal((await server.app.inject({ url: '/api/stats/builds', headers: { authorization: `Bearer ${secret}` } })).statusCode, 200);
      // Login, ingest and health are not part of the query API limit.
      assert.equal((await server.inject({ url: '/api/auth/session' })).statusCode, 200);
      assert.equal((await server.app.inject({ url: '/healthz' })).statusCode, 200);
    });
  });
}
