// Accounts and roles in a real browser (issue #9): the login page and where it lands,
// sign-out, a session that ends, what a viewer may not do, an admin's change with its
// CSRF header, public read without signing in, and throttled logins.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.ts';
import { browserMissingReason, launchBrowser, saveScreenshot, type TestBrowser } from './browser.ts';
import { waitForView } from './page-reading.ts';
import { seedRecords } from './seed-ui-records.ts';
import { loginHref, nextAfterLogin } from '../../src/ui/session.ts';
import { ADMIN, adminHeaders, signIn, startUiTestServer, VIEWER } from './sign-in.ts';

const skip = browserMissingReason() ?? false;

describe('nextAfterLogin', () => {
  const next = (search: string) => nextAfterLogin('/login', new URLSearchParams(search));

  test('goes back to the in-app path of a Sign in link', () => {
    assert.equal(next(new URL(loginHref('/records', '?severity=4'), 'http://x').search), '/records?severity=4');
    assert.equal(next(''), '/');
  });

  test('never leaves the site or loops back to /login', () => {
    for (const evil of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', 'records', '/login?next=/x']) {
      assert.equal(next(`next=${encodeURIComponent(evil)}`), '/', evil);
    }
  });

  test('is null away from /login, where the login page stays at the wanted address', () => {
    assert.equal(nextAfterLogin('/records', new URLSearchParams('next=/stats')), null);
  });
});

/** Fills and sends the login form of the page. */
async function submitLogin(page: Page, user: { username: string; password: string }): Promise<void> {
  await page.getByLabel('User name').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The header's look: what the login page must share with every other view. */
async function readLook(page: Page): Promise<Record<string, string>> {
  // A string: the test code is compiled without the DOM's types.
  return page.evaluate(`(() => {
    const bar = getComputedStyle(document.querySelector('.top-bar'));
    const body = getComputedStyle(document.body);
    const heading = getComputedStyle(document.querySelector('main h1'));
    return { bar: bar.backgroundColor, barColor: bar.color, font: body.fontFamily, background: body.backgroundColor, heading: heading.fontSize + ' ' + heading.fontWeight };
  })()`);
}

describe('sign-in, sign-out and roles', { skip }, () => {
  let server: TestServer;
  let browser: TestBrowser;
  let context: BrowserContext;

  before(async () => {
    server = await startUiTestServer();
    await seedRecords(server.baseUrl);
    browser = await launchBrowser();
    context = browser.context;
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A page of a context with no session. */
  async function anonymousPage(): Promise<Page> {
    await context.clearCookies();
    return browser.newPage();
  }

  test('shows a login page in the look of the other views, at the wanted address', async (t) => {
    const page = await anonymousPage();
    t.after(() => page.close());
    await page.goto(`${server.baseUrl}/records?severity=4`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, '/records?severity=4');
    assert.equal(await page.title(), 'Sign in - CLR Telemetry');
    assert.equal(await page.getByLabel('User name').getAttribute('autocomplete'), 'username');
    assert.equal(await page.getByLabel('Password').getAttribute('autocomplete'), 'current-password');
    assert.equal(await page.evaluate("document.activeElement?.getAttribute('name')"), 'username');
    // No data view, and no tabs leading to one, before signing in.
    assert.equal(await page.locator('nav[aria-label="Views"]').count(), 0);
    const loginLook = await readLook(page);
    await saveScreenshot(page, 'login');
    const phone = await browser.newPage(390, 844);
    t.after(() => phone.close());
    await phone.goto(`${server.baseUrl}/`);
    await phone.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.ok(Number(await phone.evaluate('document.documentElement.scrollWidth')) <= 392, 'the login page fits 390 px');
    await saveScreenshot(phone, 'login-phone');

    await signIn(context, server.baseUrl, VIEWER);
    await page.goto(`${server.baseUrl}/stats`);
    await page.getByRole('heading', { name: 'General Stats' }).waitFor();
    assert.deepEqual(await readLook(page), loginLook);
  });

  test('says so when the password is wrong, and lands on the wanted view after signing in', async (t) => {
    const page = await anonymousPage();
    t.after(() => page.close());
    await page.goto(`${server.baseUrl}/records?severity=4`);
    await submitLogin(page, { username: ADMIN.username, password: 'not-the-password' });
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Wrong user name or password/);
    assert.equal(await page.getByLabel('Password').inputValue(), '');
    assert.equal(await page.evaluate("document.activeElement?.getAttribute('name')"), 'password');
    await saveScreenshot(page, 'login-wrong-password');

    await submitLogin(page, ADMIN);
    await waitForView(page, 'table.records-table tbody tr');
    assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, '/records?severity=4');
    assert.match(await page.locator('.session-menu').innerText(), /admin\s+admin/);
    assert.ok(await page.getByRole('button', { name: 'Sign out' }).isVisible());
    // The session cookie is HttpOnly and nothing of the session is kept in storage.
    assert.equal(await page.evaluate('document.cookie'), '');
    assert.equal(await page.evaluate('localStorage.length + sessionStorage.length'), 0);
  });

  test('disables the button while signing in', async (t) => {
    const page = await anonymousPage();
    t.after(() => page.close());
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/auth/login', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${server.baseUrl}/builds`);
    await submitLogin(page, ADMIN);
    await page.getByRole('button', { name: 'Signing in…' }).waitFor();
    assert.ok(await page.getByRole('button', { name: 'Signing in…' }).isDisabled());
    release();
    await page.getByRole('heading', { name: 'Records per Build' }).waitFor();
  });

  test('signs out back to the login page, and the session is gone on the server', async (t) => {
    const page = await anonymousPage();
    t.after(() => page.close());
    await signIn(context, server.baseUrl, ADMIN);
    await page.goto(`${server.baseUrl}/stats`);
    await page.getByRole('heading', { name: 'General Stats' }).waitFor();
    const [logout] = await Promise.all([page.waitForRequest('**/api/auth/logout'), page.getByRole('button', { name: 'Sign out' }).click()]);
    assert.ok(logout.headers()['x-csrf-token'], 'sign-out carries the CSRF header');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/stats');
  });

  test('shows the login page when the session ends while a view is open', async (t) => {
    const page = await anonymousPage();
    t.after(() => page.close());
    await signIn(context, server.baseUrl, VIEWER);
    await page.goto(`${server.baseUrl}/stats`);
    await page.getByRole('heading', { name: 'General Stats' }).waitFor();
    await context.clearCookies();
    await page.getByRole('link', { name: 'Builds' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.match(await page.locator('.login-intro').innerText(), /session has ended/);
    assert.equal(new URL(page.url()).pathname, '/builds');
    await submitLogin(page, VIEWER);
    await page.getByRole('heading', { name: 'Records per Build' }).waitFor();
  });

  test('a viewer sees the crash views without any admin control', async (t) => {
    const page = await anonymousPage();
    t.after(() => page.close());
    await signIn(context, server.baseUrl, VIEWER);
    await page.goto(`${server.baseUrl}/crashes/blacklist/add`);
    await page.getByRole('heading', { name: 'Guilty blacklist' }).waitFor();
    assert.match(await page.locator('.session-menu').innerText(), /viewer\s+viewer/);
    assert.match(await page.locator('.admin-required').innerText(), /needs the admin role\. You are signed in as viewer \(viewer\)/);
    assert.equal(await page.getByRole('button', { name: 'Add filter' }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Reset guilties' }).count(), 0);
    await saveScreenshot(page, 'blacklist-viewer');
    await page.goto(`${server.baseUrl}/crashes/blacklist/reset`);
    await page.locator('.admin-required').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Reset' }).count(), 0);
    await page.goto(`${server.baseUrl}/crashes`);
    await page.waitForSelector('table.crash-table tbody tr, .status-empty');
    assert.equal(await page.locator('button[aria-label^="Comment or hide"]').count(), 0);
    // What a viewer could still send by hand is refused by the server, and said plainly.
    const answer = await page.evaluate(async () => (await fetch('/api/crashes/reprocess', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"reason":"x"}' })).status);
    assert.equal(answer, 403);
  });

  test('an admin changes the blacklist from the UI, with the CSRF header the server asks for', async (t) => {
    const page = await anonymousPage();
    t.after(() => page.close());
    await page.goto(`${server.baseUrl}/crashes/blacklist/add`);
    await submitLogin(page, ADMIN);
    await page.getByLabel('Function').fill('ui_session_frame');
    await page.getByLabel('Module').fill('/usr/bin/session-test');
    const [add] = await Promise.all([page.waitForRequest((r) => r.url().endsWith('/api/crashes/blacklist') && r.method() === 'POST'), page.getByRole('button', { name: 'Add filter' }).click()]);
    assert.ok(add.headers()['x-csrf-token']);
    await page.locator('.notice-success', { hasText: 'Added guilty filter for "ui_session_frame [/usr/bin/session-test]"' }).waitFor();
    // Without the header, the same session's change is refused.
    const bare = await page.evaluate(async () => {
      const response = await fetch('/api/crashes/blacklist', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"function":"f","module":"m"}' });
      return { status: response.status, code: ((await response.json()) as { code: string }).code };
    });
    assert.deepEqual(bare, { status: 403, code: 'CSRF_INVALID' });
    const { entries } = (await (await fetch(`${server.baseUrl}/api/crashes/blacklist`, { headers: adminHeaders() })).json()) as { entries: { function: string }[] };
    assert.ok(entries.some((e) => e.function === 'ui_session_frame'));
    assert.ok(!entries.some((e) => e.function === 'f'));
  });
});

describe('public read', { skip }, () => {
  let server: TestServer;
  let browser: TestBrowser;

  before(async () => {
    server = await startUiTestServer({ 'auth.publicRead': 'true' });
    await seedRecords(server.baseUrl);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('shows data without signing in, read-only, with a "Sign in" link that comes back', async (t) => {
    const page = await browser.newPage();
    t.after(() => page.close());
    await page.goto(`${server.baseUrl}/records?severity=4`);
    await waitForView(page, 'table.records-table tbody tr');
    assert.ok((await page.locator('table.records-table tbody tr').count()) > 0);
    const signInLink = page.getByRole('link', { name: 'Sign in' });
    assert.ok(await signInLink.isVisible());
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
    await saveScreenshot(page, 'public-read');
    await page.goto(`${server.baseUrl}/crashes/blacklist/add`);
    await page.locator('.admin-required').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add filter' }).count(), 0);
    assert.ok(await page.locator('.admin-required').getByRole('link', { name: 'Sign in as an admin' }).isVisible());

    await page.goto(`${server.baseUrl}/records?severity=4`);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('User name').waitFor();
    assert.ok(await page.getByRole('link', { name: 'Continue without signing in' }).isVisible());
    await submitLogin(page, ADMIN);
    await page.waitForURL((url) => url.pathname === '/records');
    assert.equal(new URL(page.url()).search, '?severity=4');
    await waitForView(page, 'table.records-table tbody tr');
    assert.match(await page.locator('.session-menu').innerText(), /admin\s+admin/);
    // Signing out stays on the data: the server reads it to anyone.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
    assert.ok((await page.locator('table.records-table tbody tr').count()) > 0);
  });
});

describe('login throttling', { skip }, () => {
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

  test('says when to try again after too many wrong passwords', async (t) => {
    const page = await browser.newPage();
    t.after(() => page.close());
    await page.goto(`${server.baseUrl}/`);
    await page.getByLabel('User name').waitFor();
    for (let attempt = 0; attempt < 50; attempt++) {
      await Promise.all([page.waitForResponse('**/api/auth/login'), submitLogin(page, { username: 'throttled', password: `wrong-password-${attempt}` })]);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      const text = await page.getByRole('alert').innerText();
      if (/Too many sign-in attempts/.test(text)) {
        assert.match(text, /Try again in \d+ (seconds?|minutes) \(at /);
        await saveScreenshot(page, 'login-throttled');
        return;
      }
      assert.match(text, /Wrong user name or password/);
    }
    assert.fail('no 429 after 50 wrong passwords');
  });
});
