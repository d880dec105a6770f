// GET / and the UI's client-side routes serve the built UI; hashed assets are cached for a
// year, index.html never; server routes (API, collector, health, metrics) keep answering
// as before; an unbuilt UI gets a message saying how to build it.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { registerErrorHandlers } from '../src/error-handler.ts';
import { registerSecurityHeaders } from '../src/auth/security-headers.ts';
import { registerUiRoutes, UI_NOT_BUILT_MESSAGE } from '../src/ui-static.ts';
import { buildRecordV4 } from './protocol/reference-records.ts';
import { databaseTargets } from './helpers/database.ts';
import { startTestServer } from './helpers/server.ts';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

async function buildUiApp(t: { after(fn: () => unknown): void }, built: boolean) {
  const root = mkdtempSync(join(tmpdir(), 'telemetrics-ui-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  if (built) {
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>UI</title><script type="module" src="/assets/index-abc123.js"></script>');
    writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
  }
  const app = Fastify({ logger: false });
  registerErrorHandlers(app);
  registerSecurityHeaders(app);
  await registerUiRoutes(app, { root });
  t.after(() => app.close());
  return app;
}

describe('registerUiRoutes', () => {
  test('serves index.html at / without caching and with a content security policy', async (t) => {
    const app = await buildUiApp(t, true);
    const answer = await app.inject({ url: '/', headers: HTML });
    assert.equal(answer.statusCode, 200);
    assert.match(answer.headers['content-type'] as string, /^text\/html/);
    assert.equal(answer.headers['cache-control'], 'no-cache');
    assert.match(answer.headers['content-security-policy'] as string, /script-src 'self'/);
    assert.match(answer.body, /<title>UI<\/title>/);
  });

  test('serves hashed assets with a one-year immutable cache', async (t) => {
    const app = await buildUiApp(t, true);
    const answer = await app.inject({ url: '/assets/index-abc123.js' });
    assert.equal(answer.statusCode, 200);
    assert.equal(answer.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal((await app.inject({ url: '/assets/missing.js' })).statusCode, 404);
  });

  test('answers client-side routes with index.html when the browser asks for HTML', async (t) => {
    const app = await buildUiApp(t, true);
    for (const url of ['/records?severity=4', '/crashes/guilty/12/backtraces', '/population']) {
      const answer = await app.inject({ url, headers: HTML });
      assert.equal(answer.statusCode, 200, url);
      assert.match(answer.body, /<title>UI<\/title>/);
    }
    const json = await app.inject({ url: '/records', headers: { accept: 'application/json' } });
    assert.equal(json.statusCode, 404);
    assert.equal(json.json().code, 'NOT_FOUND');
  });

  test('never answers server paths with the UI', async (t) => {
    const app = await buildUiApp(t, true);
    for (const url of ['/api/nothing', '/v2/collector/x', '/v3/collector/x', '/healthz/x', '/readyz/x', '/metrics/x', '/docs/x']) {
      const answer = await app.inject({ url, headers: HTML });
      assert.equal(answer.statusCode, 404, url);
      assert.equal(answer.json().code, 'NOT_FOUND', url);
    }
  });

  test('tells how to build the UI when it is not built', async (t) => {
    const app = await buildUiApp(t, false);
    const answer = await app.inject({ url: '/', headers: HTML });
    assert.equal(answer.statusCode, 503);
    assert.equal(answer.body, UI_NOT_BUILT_MESSAGE);
    assert.match(answer.body, /npm run build:ui/);
  });
});

describe('buildServer with the UI', () => {
  const [target] = databaseTargets();
  test('serves the UI at GET / while POST / still ingests and the API still answers JSON', async (t) => {
    const server = await startTestServer(target as NonNullable<typeof target>);
    t.after(() => server.close());
    const page = await fetch(`${server.baseUrl}/`, { headers: HTML });
    assert.ok(page.status === 200 || page.status === 503, `GET / answers the UI or how to build it (${page.status})`);
    assert.match(page.headers.get('content-type') ?? '', /^text\/(html|plain)/);
    const posted = await fetch(`${server.baseUrl}/`, {
      method: 'POST',
      headers: { ...buildRecordV4(), 'Content-Type': 'application/text' },
      body: 'posted to /\n',
    });
    assert.equal(posted.status, 201);
    const health = await fetch(`${server.baseUrl}/healthz`, { headers: HTML });
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
    const collectorGet = await fetch(`${server.baseUrl}/v2/collector`, { headers: HTML, redirect: 'manual' });
    assert.equal(collectorGet.status, 302);
  });
});
