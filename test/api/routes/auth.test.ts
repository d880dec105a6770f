import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ACCOUNT_MAX_FAILURES, ADDRESS_MAX_FAILURES } from '../../../src/auth/login-throttle.ts';
import { databaseTargets } from '../../helpers/database.ts';
import { sendRequest } from '../../helpers/http-requests.ts';
import { createTestUser, logIn, startTestServer, TEST_PASSWORD, type TestServer } from '../../helpers/server.ts';

const JSON_HEADERS = { 'content-type': 'application/json' };

function login(server: TestServer, body: unknown, headers: Record<string, string> = {}) {
  return sendRequest(server.baseUrl, { method: 'POST', path: '/api/auth/login', headers: { ...JSON_HEADERS, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

for (const target of databaseTargets()) {
  describe(`/api/auth login, session and logout (${target.name})`, () => {
    test('logs in with a session cookie (HttpOnly, SameSite=Strict, Max-Age) that reads the API until logout', async (t) => {
      const server = await startTestServer(target, {}, { adminToken: false });
      t.after(() => server.close());
      await createTestUser(server, { username: 'ann', role: 'viewer' });
      const res = await login(server, { username: 'ann', password: TEST_PASSWORD });
      assert.equal(res.status, 200, res.text);
      const body = res.json<{ user: { username: string; role: string }; csrfToken: string }>();
      assert.deepEqual(body.user, { username: 'ann', role: 'viewer' });
      assert.match(body.csrfToken, /^[A-Za-z0-9_-]{40,}$/);
      const setCookie = String(res.headers['set-cookie']);
      assert.match(setCookie, /^telemetrics_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/);
      const stored = await server.db.pool.query<{ id_hash: string }>('SELECT id_hash FROM sessions');
      assert.equal(stored.rows.length, 1);
      assert.ok(!setCookie.includes(stored.rows[0]?.id_hash ?? '-'), 'only a hash of the session id is stored');

      const cookie = setCookie.split(';')[0] ?? '';
      const session = await sendRequest(server.baseUrl, { method: 'GET', path: '/api/auth/session', headers: { cookie } });
      assert.deepEqual(session.json(), { user: { username: 'ann', role: 'viewer' }, publicRead: false, csrfToken: body.csrfToken });
      assert.equal((await sendRequest(server.baseUrl, { method: 'GET', path: '/api/records', headers: { cookie } })).status, 200);

      const noCsrf = await sendRequest(server.baseUrl, { method: 'POST', path: '/api/auth/logout', headers: { cookie } });
      assert.equal(noCsrf.status, 403);
      assert.equal(noCsrf.json().code, 'CSRF_INVALID');
      const out = await sendRequest(server.baseUrl, { method: 'POST', path: '/api/auth/logout', headers: { cookie, 'x-csrf-token': body.csrfToken } });
      assert.equal(out.status, 204, out.text);
      assert.match(String(out.headers['set-cookie']), /^telemetrics_session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/);
      const after = await sendRequest(server.baseUrl, { method: 'GET', path: '/api/records', headers: { cookie } });
      assert.equal(after.status, 401);
      assert.equal(after.json().code, 'AUTH_REQUIRED');
      assert.deepEqual((await sendRequest(server.baseUrl, { method: 'GET', path: '/api/auth/session', headers: { cookie } })).json(), { user: null, publicRead: false, csrfToken: null });
    });

    test('answers 401 INVALID_CREDENTIALS alike for a wrong password and an unknown user', async (t) => {
      const server = await startTestServer(target, {}, { adminToken: false });
      t.after(() => server.close());
      await createTestUser(server, { username: 'ben', role: 'admin' });
      for (const body of [{ username: 'ben', password: 'wrong password' }, { username: 'nobody', password: TEST_PASSWORD }]) {
        const res = await login(server, body);
        assert.equal(res.status, 401);
        const { message, code } = res.json<{ message: string; code: string }>();
        assert.deepEqual({ message, code }, { message: 'Invalid username or password', code: 'INVALID_CREDENTIALS' });
        assert.equal(res.headers['set-cookie'], undefined);
      }
    });

    test('marks the cookie Secure over https from a trusted proxy, and always with secureCookies=always', async (t) => {
      const proxied = await startTestServer(target, { trustProxy: '127.0.0.1' }, { adminToken: false });
      t.after(() => proxied.close());
      await createTestUser(proxied, { username: 'cy', role: 'viewer' });
      assert.match(String((await login(proxied, { username: 'cy', password: TEST_PASSWORD }, { 'x-forwarded-proto': 'https' })).headers['set-cookie']), /; Secure/);
      assert.doesNotMatch(String((await login(proxied, { username: 'cy', password: TEST_PASSWORD })).headers['set-cookie']), /Secure/);
      const always = await startTestServer(target, { 'auth.secureCookies': 'always', 'auth.sessionTtlHours': '2' }, { adminToken: false });
      t.after(() => always.close());
      await createTestUser(always, { username: 'cy', role: 'viewer' });
      const res = await login(always, { username: 'cy', password: TEST_PASSWORD });
      assert.match(String(res.headers['set-cookie']), /Max-Age=7200; .*Secure/);
    });

    test('refuses cookie writes without the CSRF token, with a wrong one, and accepts the right one', async (t) => {
      const server = await startTestServer(target, {}, { adminToken: false });
      t.after(() => server.close());
      await createTestUser(server, { username: 'dee', role: 'admin' });
      const session = await logIn(server, 'dee');
      const path = '/api/machines/m1/records';
      const attempts: Record<string, string>[] = [{ cookie: session.cookie }, { cookie: session.cookie, 'x-csrf-token': 'x'.repeat(43) }, { cookie: session.cookie, 'x-csrf-token': '' }];
      for (const headers of attempts) {
        const res = await sendRequest(server.baseUrl, { method: 'DELETE', path, headers });
        assert.equal(res.status, 403, res.text);
        assert.equal(res.json().code, 'CSRF_INVALID');
      }
      const ok = await sendRequest(server.baseUrl, { method: 'DELETE', path, headers: session.headers });
      assert.equal(ok.status, 200, ok.text);
      // Another session's token does not fit this one.
      const other = await logIn(server, 'dee');
      const crossed = await sendRequest(server.baseUrl, { method: 'DELETE', path, headers: { cookie: session.cookie, 'x-csrf-token': other.csrfToken } });
      assert.equal(crossed.status, 403);
    });

    test(`throttles an account after ${ACCOUNT_MAX_FAILURES} failures: 429 LOGIN_THROTTLED with Retry-After, even for the right password`, async (t) => {
      const server = await startTestServer(target, {}, { adminToken: false });
      t.after(() => server.close());
      await createTestUser(server, { username: 'eve', role: 'admin' });
      for (let i = 0; i < ACCOUNT_MAX_FAILURES; i++) assert.equal((await login(server, { username: 'eve', password: `guess ${i}` })).status, 401);
      const res = await login(server, { username: 'eve', password: TEST_PASSWORD });
      assert.equal(res.status, 429, res.text);
      assert.equal(res.json().code, 'LOGIN_THROTTLED');
      assert.ok(Number(res.headers['retry-after']) > 0, String(res.headers['retry-after']));
      await createTestUser(server, { username: 'fay', role: 'viewer' });
      assert.equal((await login(server, { username: 'fay', password: TEST_PASSWORD })).status, 200, 'other accounts still log in');
    });

    test(`throttles an address after ${ADDRESS_MAX_FAILURES} failures across accounts`, async (t) => {
      const server = await startTestServer(target, {}, { adminToken: false });
      t.after(() => server.close());
      await createTestUser(server, { username: 'gus', role: 'viewer' });
      for (let i = 0; i < ADDRESS_MAX_FAILURES; i++) assert.equal((await login(server, { username: `user${i}`, password: 'wrong password' })).status, 401);
      const res = await login(server, { username: 'gus', password: TEST_PASSWORD });
      assert.equal(res.status, 429);
      assert.equal(res.json().code, 'LOGIN_THROTTLED');
    });

    test('answers hostile login bodies and credentials with a 4xx, never a 5xx', async (t) => {
      const server = await startTestServer(target, {}, { adminToken: false });
      t.after(() => server.close());
      await createTestUser(server, { username: 'zoë', role: 'viewer' });
      assert.equal((await login(server, { username: 'zoë', password: TEST_PASSWORD })).status, 200, 'unicode usernames log in');
      const bodies: unknown[] = ['', '{', 'null', '[]', '"x"', {}, { username: 'a' }, { username: 1, password: 2 }, { username: 'x'.repeat(300), password: 'p' }, { username: 'a', password: 'p'.repeat(2000) }];
      for (const body of bodies) {
        const res = await login(server, body);
        assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.status} ${res.text}`);
      }
      for (const body of [{ username: 'nul\u0000name', password: 'p' }, { username: '👾', password: '\u0000' }, { username: ' ', password: '' }, { username: '', password: 'p' }]) {
        const res = await login(server, body);
        assert.equal(res.status, 401, `${JSON.stringify(body)}: ${res.text}`);
      }
      const form = await sendRequest(server.baseUrl, { method: 'POST', path: '/api/auth/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=a&password=b' });
      assert.equal(form.status, 415, 'a cross-site form cannot post a login');
      const hostileHeaders: Record<string, string>[] = [
        { authorization: `Bearer ${'a'.repeat(12_000)}` },
        { authorization: 'Basic YWRtaW46YWRtaW4=' },
        { authorization: 'Bearer' },
        { authorization: 'Bearer \u00ff\u00fe' },
        { cookie: 'telemetrics_session=%E0%A4%A' },
        { cookie: `telemetrics_session=${'x'.repeat(10_000)}` },
        { cookie: ';;;=;telemetrics_session' },
        { cookie: 'telemetrics_session="unterminated' },
      ];
      for (const headers of hostileHeaders) {
        for (const path of ['/api/records', '/api/auth/session']) {
          const res = await sendRequest(server.baseUrl, { method: 'GET', path, headers: { ...headers } });
          assert.ok(res.status < 500, `${path} ${JSON.stringify(headers).slice(0, 80)}: ${res.status} ${res.text}`);
          if (path === '/api/records') assert.equal(res.status, 401, `${JSON.stringify(headers).slice(0, 80)}: ${res.text}`);
        }
      }
    });
  });
}
