// Builds the real server over a fresh test database, listening on 127.0.0.1:0.
//
// Authentication in tests (docs/security.md):
// - Every test server accepts TEST_ADMIN_TOKEN as an admin Bearer token (config
//   auth.adminToken) unless started with `{ adminToken: false }`. `server.inject(...)`
//   and `server.request(...)` send it; `server.inject(...)` and `sendRequest(...)`
//   send nothing, so they are anonymous.
// - `createTestUser(server, { username, role, password })` adds a viewer or admin with a
//   known password (default password TEST_PASSWORD); `logIn(server, username, password)`
//   logs in through POST /api/auth/login and returns the session cookie and CSRF token,
//   with `headers` ready to send (Cookie, X-CSRF-Token). Browser tests can use the same
//   user and log in through the UI's login page.

import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { createUser } from '../../src/auth/accounts.ts';
import type { Role } from '../../src/auth/roles.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { buildServer } from '../../src/server.ts';
import { createTestDatabase, type DatabaseTarget, type TestDatabase } from './database.ts';
import { sendRequest, type HttpAnswer, type RequestOptions } from './http-requests.ts';

/** The admin API token of test servers. */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const ADMIN_TOKEN_HEADERS: Readonly<Record<string, string>> = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
/** The password createTestUser gives when none is named. */
export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestServer {
  app: FastifyInstance;
  db: TestDatabase;
  config: Config;
  baseUrl: string;
  /** app.inject with the admin token (unless the options carry an Authorization or Cookie header). */
  inject(options: InjectOptions | string): Promise<LightMyRequestResponse>;
  /** sendRequest over a real socket with the admin token (same rule). */
  request(options: RequestOptions): Promise<HttpAnswer>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** false: start without auth.adminToken (for the authentication tests). Default true. */
  adminToken?: boolean;
}

export async function startTestServer(target: DatabaseTarget, flags: Record<string, string> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  const db = await createTestDatabase(target);
  const auth: Record<string, string> = options.adminToken === false ? {} : { 'auth.adminToken': TEST_ADMIN_TOKEN };
  const config = loadConfig({ flags: { host: '127.0.0.1', port: '0', databaseUrl: db.url, logLevel: 'silent', ...auth, ...flags }, env: {} });
  const app = await buildServer(config, { pool: db.pool, logger: pino({ level: 'silent' }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    app,
    db,
    config,
    baseUrl,
    inject(injectOptions) {
      const opts = typeof injectOptions === 'string' ? { url: injectOptions } : injectOptions;
      return app.inject({ ...opts, headers: withAdminToken(opts.headers as Record<string, string> | undefined) });
    },
    request(requestOptions) {
      return sendRequest(baseUrl, { ...requestOptions, headers: withAdminToken(requestOptions.headers) });
    },
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

/** Adds the admin token unless the headers already authenticate somehow. */
export function withAdminToken<H extends Record<string, string | string[]>>(headers: H | undefined): Record<string, string | string[]> {
  const given = headers ?? {};
  const authenticates = Object.keys(given).some((name) => ['authorization', 'cookie'].includes(name.toLowerCase()));
  return authenticates ? { ...given } : { ...ADMIN_TOKEN_HEADERS, ...given };
}

/** Adds a user with a known password straight into the test database. */
export async function createTestUser(server: TestServer, user: { username: string; role: Role; password?: string }): Promise<void> {
  await createUser(server.db.pool, user.username, user.role, user.password ?? TEST_PASSWORD);
}

export interface TestSession {
  /** `telemetrics_session=<id>` */
  cookie: string;
  csrfToken: string;
  /** Cookie and X-CSRF-Token, ready to send. */
  headers: Record<string, string>;
}

/** Logs in through POST /api/auth/login; throws unless it answers 200. */
export async function logIn(server: TestServer, username: string, password = TEST_PASSWORD): Promise<TestSession> {
  const res = await sendRequest(server.baseUrl, {
    method: 'POST',
    path: '/api/auth/login',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login of ${username} answered ${res.status}: ${res.text}`);
  const setCookie = [res.headers['set-cookie'] ?? []].flat()[0] ?? '';
  const cookie = setCookie.split(';')[0] ?? '';
  const { csrfToken } = res.json<{ csrfToken: string }>();
  return { cookie, csrfToken, headers: { cookie, 'x-csrf-token': csrfToken } };
}
