import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { databaseTargets } from '../../helpers/database.ts';
import { sendRequest } from '../../helpers/http-requests.ts';
import { createTestUser, logIn, startTestServer, TEST_PASSWORD } from '../../helpers/server.ts';

for (const target of databaseTargets()) {
  describe(`/api/auth/users and /api/auth/tokens (${target.name})`, () => {
    test('an admin session adds, lists and removes users, and creates, uses and revokes tokens', async (t) => {
      const server = await startTestServer(target, {}, { adminToken: false });
      t.after(() => server.close());
      await createTestUser(server, { username: 'root', role: 'admin' });
      const admin = await logIn(server, 'root');
      const json = { ...admin.headers, 'content-type': 'application/json' };
      const call = (method: string, path: string, body?: unknown) =>
        sendRequest(server.baseUrl, { method, path, headers: body === undefined ? admin.headers : json, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

      const added = await call('POST', '/api/auth/users', { username: 'val', role: 'viewer', password: TEST_PASSWORD });
      assert.equal(added.status, 201, added.text);
      assert.equal((await call('POST', '/api/auth/users', { username: 'val', role: 'viewer', password: TEST_PASSWORD })).json().code, 'CONFLICT');
      assert.equal((await call('POST', '/api/auth/users', { username: 'bad name', role: 'viewer', password: TEST_PASSWORD })).status, 400);
      assert.equal((await call('POST', '/api/auth/users', { username: 'x', role: 'superuser', password: TEST_PASSWORD })).status, 400);
      const users = (await call('GET', '/api/auth/users')).json<{ users: { username: string; role: string }[] }>().users;
      assert.deepEqual(users.map((u) => `${u.username}:${u.role}`), ['root:admin', 'val:viewer']);
      assert.ok(!JSON.stringify(users).includes('scrypt'));
      await logIn(server, 'val');

      const created = await call('POST', '/api/auth/tokens', { name: 'ci', role: 'viewer' });
      assert.equal(created.status, 201, created.text);
      const { secret } = created.json<{ secret: string }>();
      assert.equal((await sendRequest(server.baseUrl, { method: 'GET', path: '/api/records', headers: { authorization: `Bearer ${secret}` } })).status, 200);
      const tokens = await call('GET', '/api/auth/tokens');
      assert.ok(!tokens.text.includes(secret));
      assert.equal(tokens.json<{ tokens: { name: string }[] }>().tokens[0]?.name, 'ci');
      assert.equal((await call('DELETE', '/api/auth/tokens/ci')).status, 204);
      assert.equal((await call('DELETE', '/api/auth/tokens/ci')).status, 404);
      assert.equal((await sendRequest(server.baseUrl, { method: 'GET', path: '/api/records', headers: { authorization: `Bearer ${secret}` } })).status, 401);

      assert.equal((await call('DELETE', '/api/auth/users/root')).json().code, 'CONFLICT', 'never the last admin');
      assert.equal((await call('DELETE', '/api/auth/users/val')).status, 204);
      assert.equal((await call('DELETE', '/api/auth/users/val')).status, 404);
      assert.equal((await call('DELETE', `/api/auth/users/${encodeURIComponent('nul\u0000')}`)).status, 404);
    });
  });
}
