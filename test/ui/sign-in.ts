// Accounts for the UI tests (issue #9): a server with an admin and a viewer of known
// passwords (test/helpers/server.ts puts them in the database; the API token it accepts
// reads the API's JSON beside the page), and signing a browser context in through
// POST /api/auth/login, as the login page does.

import type { BrowserContext } from 'playwright-core';
import { databaseTargets } from '../helpers/database.ts';
import { ADMIN_TOKEN_HEADERS, createTestUser, startTestServer, type TestServer } from '../helpers/server.ts';

export const ADMIN = { username: 'admin', password: 'ui-test-admin-password' } as const;
export const VIEWER = { username: 'viewer', password: 'ui-test-viewer-password' } as const;

/** A test server with ADMIN and VIEWER; `flags` add to its configuration (e.g. public read). */
export async function startUiTestServer(flags: Record<string, string> = {}): Promise<TestServer> {
  // No query rate limit: the views' own requests are not what these tests measure.
  const server = await startTestServer(databaseTargets()[0] as ReturnType<typeof databaseTargets>[number], { 'auth.queryRateLimit': '0', ...flags });
  await createTestUser(server, { ...ADMIN, role: 'admin' });
  await createTestUser(server, { ...VIEWER, role: 'viewer' });
  return server;
}

/** Headers of an admin API call from the test itself (the test servers' token; never from the page). */
export function adminHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { ...ADMIN_TOKEN_HEADERS, ...extra };
}

/** Signs the browser context in: its pages then carry the session cookie. */
export async function signIn(context: BrowserContext, baseUrl: string, user: { username: string; password: string } = ADMIN): Promise<void> {
  const response = await context.request.post(`${baseUrl}/api/auth/login`, { data: { username: user.username, password: user.password } });
  if (!response.ok()) throw new Error(`POST /api/auth/login as ${user.username}: ${response.status()} ${await response.text()}`);
}

