import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { RECORD_FILTER_PROPERTIES } from '../../src/api/record-filter.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createPool, type Pool } from '../../src/db/pool.ts';
import { ERROR_CODES } from '../../src/errors.ts';
import { buildServer } from '../../src/server.ts';
import { ADMIN_TOKEN_HEADERS, TEST_ADMIN_TOKEN } from '../helpers/server.ts';

interface Operation {
  parameters?: { name: string; in: string; description?: string }[];
  responses: Record<string, { description?: string; content?: Record<string, { schema: { properties?: Record<string, { enum?: string[] }> } }> }>;
}

/** The GET routes that take the shared record filter and answer 200, 400 and 503. */
const FILTERED_ROUTES = [
  '/api/records', '/api/records/{id}', '/api/machines/{machine_id}/records', '/api/stats/builds', '/api/stats/classifications',
  '/api/stats/platforms', '/api/stats/timeseries', '/api/stats/population', '/api/stats/mce', '/api/stats/thermal',
  '/api/export/records.csv', '/api/export/records.jsonl',
];

describe('GET /api/openapi.json', () => {
  let app: FastifyInstance;
  let pool: Pool;
  let doc: { openapi: string; paths: Record<string, Record<string, Operation>> };
  before(async () => {
    pool = createPool('postgresql://nobody@127.0.0.1:1/none'); // the document needs no database
    app = await buildServer(loadConfig({ env: {}, flags: { logLevel: 'silent', 'auth.adminToken': TEST_ADMIN_TOKEN } }), { pool, logger: pino({ level: 'silent' }) });
    const res = await app.inject({ url: '/api/openapi.json', headers: ADMIN_TOKEN_HEADERS });
    assert.equal(res.statusCode, 200);
    doc = res.json();
  });
  after(async () => {
    await app.close();
    await pool.end();
  });

  test('is an OpenAPI 3 document listing every route of the server under /api, with every method', () => {
    assert.match(doc.openapi, /^3\./);
    const routes = listRoutes(app).filter((r) => r.path.startsWith('/api/') && r.path !== '/api/openapi.json');
    assert.ok(routes.length >= 20, `only ${routes.length} API routes found in the route table`);
    for (const path of FILTERED_ROUTES) assert.ok(routes.some((r) => r.path === path), `${path} is not in the route table`);
    for (const route of routes) {
      for (const method of route.methods.filter((m) => m !== 'HEAD')) {
        assert.ok(doc.paths[route.path]?.[method.toLowerCase()], `${method} ${route.path} is not documented`);
      }
    }
  });

  test('documents every shared filter parameter, with a description, on every filtered route', () => {
    for (const path of FILTERED_ROUTES.filter((p) => p !== '/api/records/{id}')) {
      const params = doc.paths[path]?.get?.parameters ?? [];
      for (const name of Object.keys(RECORD_FILTER_PROPERTIES)) {
        const param = params.find((p) => p.name === name && p.in === 'query');
        assert.ok(param?.description, `${path} lacks ${name}`);
      }
    }
  });

  test('describes the 200, 400 and 503 answers of every route, errors with the catalogue codes', () => {
    for (const path of FILTERED_ROUTES) {
      const responses = doc.paths[path]?.get?.responses ?? {};
      for (const status of ['200', '400', '503']) assert.ok(responses[status]?.description, `${path} ${status}`);
      const codes = responses['400']?.content?.['application/json']?.schema.properties?.code?.enum;
      assert.deepEqual(codes, Object.keys(ERROR_CODES));
    }
    assert.ok(doc.paths['/api/records/{id}']?.get?.responses['404']);
    assert.ok(doc.paths['/api/records']?.get?.responses['401'], 'reads document 401');
    const write = doc.paths['/api/machines/{machine_id}/records']?.delete;
    assert.ok(write?.responses['401'] && write.responses['403'], 'admin writes document 401 and 403');
    assert.ok(doc.paths['/api/auth/login'], 'login is documented');
  });

  test('serves the interactive documentation at /docs', async () => {
    const res = await app.inject({ url: '/docs', headers: ADMIN_TOKEN_HEADERS });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /text\/html/);
    assert.match(res.body, /swagger-ui/);
    const json = await app.inject({ url: '/docs/json', headers: ADMIN_TOKEN_HEADERS });
    assert.deepEqual(Object.keys(json.json().paths).sort(), Object.keys(doc.paths).sort());
  });

  test('answers 503 DB_UNAVAILABLE with Retry-After from API routes when the database is unreachable', async () => {
    const res = await app.inject({ url: '/api/records', headers: ADMIN_TOKEN_HEADERS });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().code, 'DB_UNAVAILABLE');
    assert.equal(res.headers['retry-after'], '10');
  });
});

/**
 * Every route of the app with its methods, read from fastify's route tree
 * (`printRoutes({ commonPrefix: false })`: one node per line, four columns per level),
 * with `:param` written as OpenAPI's `{param}`.
 */
function listRoutes(app: FastifyInstance): { path: string; methods: string[] }[] {
  const routes: { path: string; methods: string[] }[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([\s│]*)[└├]── (.*) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    stack.length = depth;
    stack.push(m[2] ?? '');
    const path = stack.join('').replace(/\/+/g, '/').replace(/:([A-Za-z_]+)/g, '{$1}');
    routes.push({ path: path.startsWith('/') ? path : `/${path}`, methods: (m[3] ?? '').split(', ') });
  }
  return routes;
}
