// Every route of the real server, enumerated from its route table (so a route added
// later is covered without touching this file), refuses anonymous callers unless it is
// one of the deliberately public ones, and admin routes refuse viewers.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RouteAccessEntry } from '../../src/auth/access-control.ts';
import { createApiToken } from '../../src/auth/accounts.ts';
import { databaseTargets } from '../helpers/database.ts';
import { buildDistinctRecord } from '../helpers/ingest-records.ts';
import { createTestUser, logIn, startTestServer } from '../helpers/server.ts';

/** The only routes anyone may call: ingest (clients cannot authenticate), health, the SPA's files, /metrics (auth.metricsPublic). */
const PUBLIC_ROUTES = new Set([
  'POST /', 'POST /v2/collector', 'GET /v2/collector', 'HEAD /v2/collector', 'PUT /v2/collector', 'DELETE /v2/collector', 'PATCH /v2/collector', 'OPTIONS /v2/collector',
  'POST /v3/collector', 'GET /v3/collector', 'HEAD /v3/collector', 'PUT /v3/collector', 'DELETE /v3/collector', 'PATCH /v3/collector', 'OPTIONS /v3/collector',
  'PUT /', 'DELETE /', 'PATCH /', 'OPTIONS /',
  'GET /healthz', 'HEAD /healthz', 'GET /readyz', 'HEAD /readyz',
  'GET /', 'HEAD /', 'GET /*', 'HEAD /*', 'GET /assets/*', 'HEAD /assets/*',
  'GET /metrics', 'HEAD /metrics',
]);
/** Open to anyone, reading the caller when present: the login page's own routes. */
const OPTIONAL_ROUTES = new Set(['POST /api/auth/login', 'POST /api/auth/logout', 'GET /api/auth/session', 'HEAD /api/auth/session']);

function concreteUrl(url: string): string {
  return url.replace(/:[A-Za-z_]+/g, '1').replace(/\*/g, 'x');
}

const key = (r: RouteAccessEntry) => `${r.method} ${r.url}`;

for (const target of databaseTargets()) {
  describe(`access control over the route table (${target.name})`, () => {
    test('declares public only the ingest, health, UI and metrics routes, and optional only /api/auth login, logout and session', async (t) => {
      const server = await startTestServer(target, {}, { adminToken: false });
      t.after(() => server.close());
      const routes = server.app.routeAccess();
      assert.ok(routes.length > 40, `only ${routes.length} routes`);
      for (const route of routes) {
        if (route.access === 'public') assert.ok(PUBLIC_ROUTES.has(key(route)), `${key(route)} is public`);
        if (route.access === 'optional') assert.ok(OPTIONAL_ROUTES.has(key(route)), `${key(route)} is open to anonymous callers`);
        if (route.url.startsWith('/api') || route.url.startsWith('/docs')) assert.notEqual(route.access, 'public', key(route));
      }
      const admin = routes.filter((r) => r.access === 'admin').map(key);
      for (const write of ['PATCH /api/crashes/guilties/:id', 'POST /api/crashes/blacklist', 'DELETE /api/crashes/blacklist/:id', 'POST /api/crashes/reprocess', 'POST /api/crashes/records/:id/apply', 'DELETE /api/machines/:machine_id/records', 'GET /api/auth/users', 'POST /api/auth/tokens']) {
        assert.ok(admin.includes(write), `${write} is not admin-only`);
      }
    });

    test('refuses anonymous callers on every route that is not public (401 AUTH_REQUIRED)', async (t) => {
      const server = await startTestServer(target, { 'auth.metricsPublic': 'false' }, { adminToken: false });
      t.after(() => server.close());
      const guarded = server.app.routeAccess().filter((r) => r.access === 'read' || r.access === 'admin');
      assert.ok(guarded.some((r) => r.url === '/metrics'), '/metrics is guarded when auth.metricsPublic is false');
      for (const route of guarded) {
        const res = await server.app.inject({ method: route.method as 'GET', url: concreteUrl(route.url) });
        assert.equal(res.statusCode, 401, `${key(route)}: ${res.body}`);
        if (route.method !== 'HEAD') assert.equal(res.json().code, 'AUTH_REQUIRED', key(route));
      }
    });

    test('refuses viewers (403 AUTH_FORBIDDEN) on every admin route, by token and by session', async (t) => {
      const server = await startTestServer(target, {}, { adminToken: false });
      t.after(() => server.close());
      const { secret } = await createApiToken(server.db.pool, 'viewer-token', 'viewer');
      await createTestUser(server, { username: 'vera', role: 'viewer' });
      const session = await logIn(server, 'vera');
      const admin = server.app.routeAccess().filter((r) => r.access === 'admin');
      assert.ok(admin.length >= 10);
      for (const route of admin) {
        const byToken = await server.app.inject({ method: route.method as 'GET', url: concreteUrl(route.url), headers: { authorization: `Bearer ${secret}` } });
        assert.equal(byToken.statusCode, 403, `${key(route)} (token): ${byToken.body}`);
        if (route.method !== 'HEAD') assert.equal(byToken.json().code, 'AUTH_FORBIDDEN');
        const bySession = await server.app.inject({ method: route.method as 'GET', url: concreteUrl(route.url), headers: session.headers });
        assert.equal(bySession.statusCode, 403, `${key(route)} (session): ${bySession.body}`);
      }
    });

    test('lets viewers through every read route (no 401 or 403)', async (t) => {
      const server = await startTestServer(target, {}, { adminToken: false });
      t.after(() => server.close());
      const { secret } = await createApiToken(server.db.pool, 'reader', 'viewer');
      for (const route of server.app.routeAccess().filter((r) => r.access === 'read')) {
        const res = await server.app.inject({ method: route.method as 'GET', url: concreteUrl(route.url), headers: { authorization: `Bearer ${secret}` } });
        assert.ok(![401, 403].includes(res.statusCode) && res.statusCode < 500, `${key(route)}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
    });

    test('keeps ingest open to clients that send no credential', async (t) => {
      const server = await startTestServer(target, {}, { adminToken: false });
      t.after(() => server.close());
      const record = buildDistinctRecord('anonymous-client');
      const res = await server.app.inject({ method: 'POST', url: '/v2/collector', headers: record.headers, payload: record.body });
      assert.equal(res.statusCode, 201, res.body);
    });
  });
}
