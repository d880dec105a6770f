import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createApiToken, revokeApiToken } from '../../src/auth/accounts.ts';
import { listApiTokens } from '../../src/db/queries/api-tokens.ts';
import { databaseTargets } from '../helpers/database.ts';
import { sendRequest } from '../helpers/http-requests.ts';
import { startTestServer, TEST_ADMIN_TOKEN } from '../helpers/server.ts';

for (const target of databaseTargets()) {
  describe(`API tokens (${target.name})`, () => {
    test('a token works as Bearer, records its last use, and stops working once revoked', async (t) => {
      const server = await startTestServer(target, {}, { adminToken: false });
      t.after(() => server.close());
      const { secret } = await createApiToken(server.db.pool, 'ci', 'viewer');
      const headers = { authorization: `Bearer ${secret}` };
      const ok = await sendRequest(server.baseUrl, { method: 'GET', path: '/api/records', headers });
      assert.equal(ok.status, 200, ok.text);
      assert.ok((await listApiTokens(server.db.pool))[0]?.lastUsedAt instanceof Date);
      const session = await sendRequest(server.baseUrl, { method: 'GET', path: '/api/auth/session', headers });
      assert.deepEqual(session.json(), { user: { username: 'ci', role: 'viewer' }, publicRead: false, csrfToken: null });
      await revokeApiToken(server.db.pool, 'ci');
      const revoked = await sendRequest(server.baseUrl, { method: 'GET', path: '/api/records', headers });
      assert.equal(revoked.status, 401);
      assert.equal(revoked.json().code, 'AUTH_REQUIRED');
    });

    test('an admin token writes without a CSRF header; a wrong token is refused even with public read', async (t) => {
      const server = await startTestServer(target, { 'auth.publicRead': 'true' }, { adminToken: false });
      t.after(() => server.close());
      const { secret } = await createApiToken(server.db.pool, 'ops', 'admin');
      const res = await sendRequest(server.baseUrl, { method: 'DELETE', path: '/api/machines/m1/records', headers: { authorization: `bearer ${secret}` } });
      assert.equal(res.status, 200, res.text);
      const wrong = await sendRequest(server.baseUrl, { method: 'GET', path: '/api/records', headers: { authorization: `Bearer ${secret}x` } });
      assert.equal(wrong.status, 401);
    });

    test('revokes by name first, else by id, one token at a time', async (t) => {
      const server = await startTestServer(target, {}, { adminToken: false });
      t.after(() => server.close());
      const first = await createApiToken(server.db.pool, 'first', 'viewer');
      await createApiToken(server.db.pool, String(first.token.id), 'viewer');
      await revokeApiToken(server.db.pool, String(first.token.id));
      assert.deepEqual((await listApiTokens(server.db.pool)).map((x) => x.name), ['first']);
      await revokeApiToken(server.db.pool, String(first.token.id));
      assert.deepEqual(await listApiTokens(server.db.pool), []);
    });

    test('accepts TELEMETRICS_ADMIN_TOKEN as an admin token only when configured', async (t) => {
      const withToken = await startTestServer(target);
      t.after(() => withToken.close());
      const headers = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
      assert.equal((await sendRequest(withToken.baseUrl, { method: 'DELETE', path: '/api/machines/m1/records', headers })).status, 200);
      const without = await startTestServer(target, {}, { adminToken: false });
      t.after(() => without.close());
      assert.equal((await sendRequest(without.baseUrl, { method: 'GET', path: '/api/records', headers })).status, 401);
    });
  });
}
