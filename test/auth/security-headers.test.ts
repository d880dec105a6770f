import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { databaseTargets } from '../helpers/database.ts';
import { buildDistinctRecord } from '../helpers/ingest-records.ts';
import { sendRequest } from '../helpers/http-requests.ts';
import { startTestServer } from '../helpers/server.ts';

for (const target of databaseTargets()) {
  describe(`security headers (${target.name})`, () => {
    test('are on every kind of response: UI, API, error, not found, docs, ingest, health', async (t) => {
      const server = await startTestServer(target, {}, { adminToken: false });
      t.after(() => server.close());
      const record = buildDistinctRecord('headers');
      const answers = [
        await sendRequest(server.baseUrl, { method: 'GET', path: '/', headers: { accept: 'text/html' } }),
        await sendRequest(server.baseUrl, { method: 'GET', path: '/api/records' }),
        await server.request({ method: 'GET', path: '/api/records' }),
        await sendRequest(server.baseUrl, { method: 'GET', path: '/no/such/page' }),
        await sendRequest(server.baseUrl, { method: 'GET', path: '/docs' }),
        await sendRequest(server.baseUrl, { method: 'GET', path: '/healthz' }),
        await sendRequest(server.baseUrl, { method: 'POST', path: '/v2/collector', headers: record.headers, body: record.body }),
      ];
      for (const res of answers) {
        const csp = String(res.headers['content-security-policy']);
        assert.match(csp, /script-src 'self';/, `${res.status}`);
        assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/);
        assert.match(csp, /frame-ancestors 'none'/);
        assert.equal(res.headers['x-content-type-options'], 'nosniff');
        assert.equal(res.headers['referrer-policy'], 'same-origin');
        assert.equal(res.headers['x-frame-options'], 'DENY');
        assert.equal(res.headers['strict-transport-security'], undefined, 'no HSTS over plain http');
      }
    });

    test('adds HSTS when a trusted proxy says the request came over https', async (t) => {
      const server = await startTestServer(target, { trustProxy: '127.0.0.1' }, { adminToken: false });
      t.after(() => server.close());
      const res = await sendRequest(server.baseUrl, { method: 'GET', path: '/healthz', headers: { 'x-forwarded-proto': 'https' } });
      assert.equal(res.headers['strict-transport-security'], 'max-age=31536000');
    });
  });
}
