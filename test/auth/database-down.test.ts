// With PostgreSQL unreachable, the routes whose own work reads the database (a login,
// a token lookup by the access gate) answer 503 DB_UNAVAILABLE with Retry-After, like
// the query API does, never a 500.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load.ts';
import { createPool, type Pool } from '../../src/db/pool.ts';
import { buildServer } from '../../src/server.ts';

describe('auth routes while the database is unreachable', () => {
  let app: FastifyInstance;
  let pool: Pool;
  before(async () => {
    pool = createPool('postgresql://nobody@127.0.0.1:1/none');
    const config = loadConfig({ env: {}, flags: { logLevel: 'silent', 'retention.enabled': 'false', 'crash.classes': '' } });
    app = await buildServer(config, { pool, logger: pino({ level: 'silent' }) });
  });
  after(async () => {
    await app.close();
    await pool.end();
  });

  for (const [name, request] of [
    ['a login', { method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'whatever it is' } }],
    ['a request with an API token', { method: 'GET', url: '/api/records', headers: { authorization: 'Bearer some-token-the-gate-must-look-up' } }],
    ['a request with a session cookie', { method: 'GET', url: '/api/records', headers: { cookie: 'telemetrics_session=some-session-id' } }],
  ] as const) {
    test(`answers ${name} 503 DB_UNAVAILABLE with Retry-After`, async () => {
      const res = await app.inject(request as never);
      assert.equal(res.statusCode, 503, res.body);
      assert.equal(res.json().code, 'DB_UNAVAILABLE');
      assert.ok(res.headers['retry-after']);
    });
  }
});
