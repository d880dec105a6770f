import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { databaseTargets } from '../helpers/database.ts';
import { startTestServer } from '../helpers/server.ts';

for (const target of databaseTargets()) {
  describe(`public read (TELEMETRICS_PUBLIC_READ) (${target.name})`, () => {
    test('lets anonymous callers read every read route and refuses every write (401)', async (t) => {
      const server = await startTestServer(target, { 'auth.publicRead': 'true' }, { adminToken: false });
      t.after(() => server.close());
      const routes = server.app.routeAccess();
      for (const route of routes.filter((r) => r.access === 'read')) {
        const url = route.url.replace(/:[A-Za-z_]+/g, '1').replace(/\*/g, 'x');
        const res = await server.app.inject({ method: route.method as 'GET', url });
        assert.ok(res.statusCode !== 401 && res.statusCode !== 403 && res.statusCode < 500, `${route.method} ${route.url}: ${res.statusCode}`);
      }
      for (const route of routes.filter((r) => r.access === 'admin')) {
        const url = route.url.replace(/:[A-Za-z_]+/g, '1');
        const res = await server.app.inject({ method: route.method as 'GET', url });
        assert.equal(res.statusCode, 401, `${route.method} ${route.url}`);
      }
      const session = await server.app.inject({ url: '/api/auth/session' });
      assert.deepEqual(session.json(), { user: null, publicRead: true, csrfToken: null });
    });

    test('is off by default', async (t) => {
      const server = await startTestServer(target, {}, { adminToken: false });
      t.after(() => server.close());
      assert.equal((await server.app.inject({ url: '/api/records' })).statusCode, 401);
      assert.equal((await server.app.inject({ url: '/api/openapi.json' })).statusCode, 401);
    });
  });
}
