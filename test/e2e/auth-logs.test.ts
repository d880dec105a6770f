// Passwords never reach the logs: a real `telemetrics serve` (all log levels on) goes
// through first start, user creation, logins, failed logins and a password change, and
// its whole output is searched for every password used. The one exception, by design:
// a generated first-start password is logged exactly once.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCli, startServeProcess, stopProcess } from '../helpers/cli.ts';
import { createTestDatabase, databaseTargets } from '../helpers/database.ts';
import { sendRequest } from '../helpers/http-requests.ts';

const SECRETS = {
  initial: 'initial-Adm1n-secret',
  viewer: 'viewer-pass-Kq93',
  wrong: 'wrong-guess-Zx81',
  inUsernameField: 'typed-in-name-field-P55',
  changed: 'changed-pass-Mm42',
};

async function login(port: number, username: string, password: string) {
  return sendRequest(`http://127.0.0.1:${port}`, { method: 'POST', path: '/api/auth/login', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
}

for (const target of databaseTargets()) {
  describe(`logs of a server run (${target.name})`, () => {
    test('never contain a password: first start, user add, login, failed login, password change', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const env = { DATABASE_URL: db.url, TELEMETRICS_LOG_LEVEL: 'trace', TELEMETRICS_ADMIN_PASSWORD: SECRETS.initial };
      const server = await startServeProcess(['--host', '127.0.0.1', '--port', '0', '--retention-enabled', 'false'], env);
      t.after(() => stopProcess(server.child));
      const added = await runCli(['user', 'add', 'viewer1', '--role', 'viewer', '--password-stdin'], { ...env, TELEMETRICS_ADMIN_PASSWORD: '' }, 60_000, SECRETS.viewer);
      assert.equal(added.code, 0, added.stderr);

      const admin = await login(server.port, 'admin', SECRETS.initial);
      assert.equal(admin.status, 200, admin.text);
      assert.equal((await login(server.port, 'viewer1', SECRETS.viewer)).status, 200);
      assert.equal((await login(server.port, 'viewer1', SECRETS.wrong)).status, 401);
      assert.equal((await login(server.port, SECRETS.inUsernameField, SECRETS.wrong)).status, 401);
      const cookie = String(admin.headers['set-cookie']).split(';')[0] ?? '';
      const changed = await sendRequest(`http://127.0.0.1:${server.port}`, {
        method: 'PUT',
        path: '/api/auth/users/viewer1/password',
        headers: { cookie, 'x-csrf-token': admin.json<{ csrfToken: string }>().csrfToken, 'content-type': 'application/json' },
        body: JSON.stringify({ password: SECRETS.changed }),
      });
      assert.equal(changed.status, 204, changed.text);
      assert.equal((await login(server.port, 'viewer1', SECRETS.changed)).status, 200);
      await stopProcess(server.child);

      const output = server.logs() + added.stdout + added.stderr;
      assert.match(output, /"msg":"failed login"/);
      assert.match(output, /"msg":"login"/);
      assert.match(output, /"msg":"password changed"/);
      for (const [name, secret] of Object.entries(SECRETS)) assert.ok(!output.includes(secret), `the ${name} password is in the logs`);
      const sessionId = cookie.split('=')[1] ?? '';
      assert.ok(sessionId.length > 20 && !output.includes(sessionId), 'the session id is not logged');
    });

    test('contain a generated first-start password exactly once', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const server = await startServeProcess(['--host', '127.0.0.1', '--port', '0', '--retention-enabled', 'false'], { DATABASE_URL: db.url, TELEMETRICS_LOG_LEVEL: 'trace' });
      t.after(() => stopProcess(server.child));
      const password = /"generatedPassword":"([^"]+)"/.exec(server.logs())?.[1] ?? '';
      assert.ok(password.length >= 16, server.logs());
      assert.equal((await login(server.port, 'admin', password)).status, 200);
      await stopProcess(server.child);
      assert.equal(server.logs().split(password).length - 1, 1);
    });
  });
}
