// Every view under a Content-Security-Policy stricter than the server's: no
// 'unsafe-inline' for scripts or styles (issue #9). The page reports each violation.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.ts';
import { browserMissingReason, launchBrowser, type TestBrowser } from './browser.ts';
import { seedRecords } from './seed-ui-records.ts';
import { ADMIN, startUiTestServer } from './sign-in.ts';

const STRICT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

const skip = browserMissingReason() ?? false;

/** Serves every page with STRICT_CSP and collects what the browser refuses. */
async function enforceStrictCsp(page: Page): Promise<void> {
  await page.addInitScript(
    "window.__cspViolations = []; document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':' + e.lineNumber));",
  );
  await page.route('**/*', async (route) => {
    if (route.request().resourceType() !== 'document') return route.continue();
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': STRICT_CSP } });
  });
}

describe('content security policy', { skip }, () => {
  let server: TestServer;
  let browser: TestBrowser;

  before(async () => {
    server = await startUiTestServer();
    await seedRecords(server.baseUrl);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('every view runs without inline scripts or styles', async (t) => {
    const page = await browser.newPage();
    t.after(() => page.close());
    await enforceStrictCsp(page);
    await page.goto(`${server.baseUrl}/`);
    assert.equal(await page.evaluate('document.querySelectorAll("script:not([src]), style, [style]").length'), 0, 'index.html has no inline script or style');
    await page.getByLabel('User name').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('.summary[data-total]');
    assert.deepEqual(await page.evaluate('window.__cspViolations'), [], 'violations on the login page and the dashboard');
    const views: Array<[string, string]> = [
      ['/records', 'table.records-table tbody tr'],
      ['/builds', 'figure.chart-figure canvas'],
      ['/stats', '.share-list'],
      ['/crashes', 'table.crash-table tbody tr, .status-empty'],
      ['/mce', 'figure.chart-figure'],
      ['/thermal', 'figure.chart-figure canvas, .status-empty'],
      ['/population', 'table'],
      ['/users', 'table.users-table'],
    ];
    for (const [path, ready] of views) {
      await page.goto(`${server.baseUrl}${path}`);
      await page.waitForSelector(ready);
      assert.deepEqual(await page.evaluate('window.__cspViolations'), [], `violations on ${path}`);
    }
    // The check itself works: markup with an inline style is refused and reported.
    await page.evaluate(`document.body.insertAdjacentHTML('beforeend', '<div style="color: red"></div>')`);
    await page.waitForFunction('window.__cspViolations.length > 0');
    assert.match(String(await page.evaluate('window.__cspViolations[0]')), /^style-src/);
  });
});
