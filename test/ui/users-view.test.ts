// The "Users & tokens" view in a real browser (issue #9): an admin adds and removes a
// user and creates and revokes an API token whose secret is shown once; viewers do not
// get the view.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.ts';
import { browserMissingReason, launchBrowser, saveScreenshot, type TestBrowser } from './browser.ts';
import { signIn, startUiTestServer, VIEWER } from './sign-in.ts';

const skip = browserMissingReason() ?? false;

describe('users and tokens view', { skip }, () => {
  let server: TestServer;
  let browser: TestBrowser;

  before(async () => {
    server = await startUiTestServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function adminPage(): Promise<Page> {
    await browser.context.clearCookies();
    await signIn(browser.context, server.baseUrl);
    const page = await browser.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${server.baseUrl}/users`);
    await page.getByRole('heading', { name: 'Users & tokens' }).waitFor();
    return page;
  }

  /** What GET /api/auth/session answers to a Bearer token. */
  async function sessionOfToken(secret: string): Promise<{ status: number; user: { username: string; role: string } | null }> {
    const response = await fetch(`${server.baseUrl}/api/records?limit=1`, { headers: { Authorization: `Bearer ${secret}` } });
    const session = (await (await fetch(`${server.baseUrl}/api/auth/session`, { headers: { Authorization: `Bearer ${secret}` } })).json()) as { user: { username: string; role: string } | null };
    return { status: response.status, user: session.user };
  }

  test('an admin adds a user who can then sign in, and removes them', async (t) => {
    const page = await adminPage();
    t.after(() => page.close());
    assert.ok(await page.getByRole('link', { name: 'Users & tokens' }).isVisible());
    await page.getByLabel('New user name').fill('analyst');
    await page.locator('form[aria-label="Add a user"]').getByLabel('Role').selectOption('viewer');
    await page.getByLabel('Password (at least 8 characters)').fill('analyst-password');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.locator('.notice-success', { hasText: 'Added viewer analyst' }).waitFor();
    await page.locator('tr[data-username="analyst"]').waitFor();
    const login = await fetch(`${server.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'analyst', password: 'analyst-password' }) });
    assert.equal(login.status, 200);
    // A refused change says why.
    await page.getByLabel('New user name').fill('short');
    await page.getByLabel('Password (at least 8 characters)').evaluate((input) => input.removeAttribute('minlength'));
    await page.getByLabel('Password (at least 8 characters)').fill('abc');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.locator('.notice-danger', { hasText: /8 characters/ }).waitFor();
    await page.getByRole('button', { name: 'Remove user analyst' }).click();
    await page.locator('.notice-success', { hasText: 'Removed user analyst' }).waitFor();
    await page.locator('tr[data-username="analyst"]').waitFor({ state: 'detached' });
  });

  test('an admin creates a token whose secret is shown once, and revokes it', async (t) => {
    const page = await adminPage();
    t.after(() => page.close());
    await page.getByLabel('New token name').fill('grafana');
    await page.locator('form[aria-label="Create an API token"]').getByLabel('Role').selectOption('viewer');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secretField = page.getByLabel('Secret of token grafana');
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    assert.ok(secret.length >= 16);
    assert.deepEqual(await sessionOfToken(secret), { status: 200, user: { username: 'grafana', role: 'viewer' } });
    await page.locator('tr[data-token="grafana"]').waitFor();
    await saveScreenshot(page, 'users-and-tokens');
    await page.reload();
    await page.locator('tr[data-token="grafana"]').waitFor();
    assert.equal(await page.getByLabel('Secret of token grafana').count(), 0, 'the secret is not shown again');
    assert.equal((await page.content()).includes(secret), false);
    await page.getByRole('button', { name: 'Revoke token grafana' }).click();
    await page.locator('.notice-success', { hasText: 'Revoked token grafana' }).waitFor();
    assert.equal((await sessionOfToken(secret)).status, 401);
  });

  test('a viewer has no "Users & tokens" tab and is told the view needs an admin', async (t) => {
    await browser.context.clearCookies();
    await signIn(browser.context, server.baseUrl, VIEWER);
    const page = await browser.newPage();
    t.after(() => page.close());
    await page.goto(`${server.baseUrl}/users`);
    await page.locator('.admin-required').waitFor();
    assert.equal(await page.getByRole('link', { name: 'Users & tokens' }).count(), 0);
    assert.equal(await page.locator('table.users-table').count(), 0);
  });
});
