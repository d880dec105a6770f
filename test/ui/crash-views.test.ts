// The crash views in a real browser: top guilties, overall and per build, guilty details,
// backtraces, comment and hide, grouping by signature, and the blacklist administration.
// They read /api/crashes/* (issues #4/#5); until the server has those endpoints, the
// views must say so, and the data tests are skipped with that reason.

import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.ts';
import { browserMissingReason, fetchJson, launchBrowser, saveScreenshot, type TestBrowser } from './browser.ts';
import { parseShownNumber } from './page-reading.ts';
import { seedRecords } from './seed-ui-records.ts';
import { adminHeaders, signIn, startUiTestServer } from './sign-in.ts';

interface GuiltyTotals {
  id: number;
  function: string;
  module: string;
  comment: string | null;
  total: number;
  builds: { build: string; count: number }[];
}

const NEEDS_API = 'needs /api/crashes/* (#4/#5)';
const skip = browserMissingReason() ?? false;

describe('crash views', { skip }, () => {
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;
  let available = false;

  before(async () => {
    server = await startUiTestServer();
    await seedRecords(server.baseUrl);
    available = (await fetch(`${server.baseUrl}/api/crashes/guilties`, { headers: adminHeaders() })).status !== 404;
    browser = await launchBrowser();
    await signIn(browser.context, server.baseUrl);
    page = await browser.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The top guilties once the crash processor has analysed the seeded crashes. */
  async function topGuilties(query = ''): Promise<{ builds: string[]; guilties: GuiltyTotals[] }> {
    for (let attempt = 0; attempt < 60; attempt++) {
      const answer = await fetchJson<{ builds: string[]; guilties: GuiltyTotals[] }>(server.baseUrl, `/api/crashes/guilties${query}`);
      if (answer.guilties.length > 0) return answer;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error('no guilties after 15 s');
  }

  function needsApi(t: TestContext): boolean {
    if (available) return false;
    t.skip(NEEDS_API);
    return true;
  }

  test('says which endpoint is missing while the server has no crash API', async (t) => {
    if (available) return t.skip('the crash API exists');
    for (const path of ['/crashes', '/crashes/blacklist/remove', '/crashes/guilty/1']) {
      await page.goto(`${server.baseUrl}${path}`);
      await page.waitForSelector('.status-error');
      assert.match(await page.locator('.status-error').first().innerText(), /not available: this server does not provide \/api\/crashes\//);
    }
    await page.goto(`${server.baseUrl}/`);
    await page.waitForSelector('.status-error');
    assert.match(await page.locator('.status-error').first().innerText(), /\/api\/crashes\/signatures/);
    await page.goto(`${server.baseUrl}/crashes`);
    await page.waitForSelector('.status-error');
    await saveScreenshot(page, 'crashes-unavailable');
  });

  test('top crashes show each guilty with its total and per-build bars as the API counts them', async (t) => {
    if (needsApi(t)) return;
    const top = await topGuilties();
    await page.goto(`${server.baseUrl}/crashes`);
    await page.waitForSelector('table.crash-table tbody tr');
    const shown = await page.locator('table.crash-table tbody tr').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-key'), r.querySelector('[data-total]')?.getAttribute('data-total')]));
    assert.deepEqual(shown, top.guilties.slice(0, 10).map((g) => [String(g.id), String(g.total)]));
    const headers = await page.locator('table.crash-table thead th a').allInnerTexts();
    assert.deepEqual(headers, ['Total', ...top.builds]);
    await saveScreenshot(page, 'crashes');

    const build = top.builds[0] as string;
    const perBuild = await topGuilties(`?build=${encodeURIComponent(build)}`);
    await page.getByRole('link', { name: build, exact: true }).click();
    await page.waitForURL(/\/crashes\/build\//);
    await page.waitForSelector('table.crash-table tbody tr');
    const totals = await page.locator('table.crash-table [data-total]').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-total'))));
    assert.deepEqual(totals, perBuild.guilties.slice(0, 10).map((g) => g.total));
    await page.goto(`${server.baseUrl}/crashes/build/no-such-build`);
    await page.waitForSelector('.status-empty');
  });

  test('guilty details list machine mappings and backtraces highlight the guilty frame', async (t) => {
    if (needsApi(t)) return;
    const [guilty] = (await topGuilties()).guilties;
    assert.ok(guilty);
    await page.goto(`${server.baseUrl}/crashes/guilty/${guilty.id}`);
    await page.getByRole('heading', { name: 'Machine ID mappings' }).waitFor();
    assert.match(await page.locator('.details-list').innerText(), new RegExp(guilty.function.replace(/[()[\]]/g, '.')));
    const counts = await page.locator('section table.bar-table tbody tr td:last-child').allInnerTexts();
    assert.equal(counts.reduce((sum, c) => sum + parseShownNumber(c), 0) > 0, true);
    await saveScreenshot(page, 'guilty-details');
    await page.getByRole('link', { name: 'view' }).click();
    await page.waitForURL(/backtraces/);
    await page.waitForSelector('.backtraces-table .guilty-frame');
    assert.match(await page.locator('.guilty-frame').first().innerText(), new RegExp(`${guilty.function.replace(/[()[\]]/g, '.')}`));
    await saveScreenshot(page, 'backtraces');
  });

  test('a comment and hiding a guilty change what the top list shows', async (t) => {
    if (needsApi(t)) return;
    const [guilty] = (await topGuilties()).guilties;
    assert.ok(guilty);
    await page.goto(`${server.baseUrl}/crashes`);
    await page.locator(`tr[data-key="${guilty.id}"] button`).click();
    await page.getByRole('textbox', { name: /Comment/ }).fill('known <b>issue</b>');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator(`tr[data-key="${guilty.id}"]`, { hasText: 'known <b>issue</b>' }).waitFor();
    await page.locator(`tr[data-key="${guilty.id}"] button`).click();
    await page.getByLabel(/Hide this guilty/).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator(`tr[data-key="${guilty.id}"]`).waitFor({ state: 'detached' });
    await page.goto(`${server.baseUrl}/crashes/blacklist/hidden`);
    await page.getByRole('button', { name: 'Show again' }).first().click();
    await page.locator('.notice-success', { hasText: 'is no longer hidden' }).waitFor();
  });

  test('blacklist entries are added and removed, and a reset shows reprocessing progress', async (t) => {
    if (needsApi(t)) return;
    await page.goto(`${server.baseUrl}/crashes/blacklist/add`);
    await page.getByLabel('Function').fill('handle_request');
    await page.getByLabel('Module').fill('/usr/bin/exampled');
    await page.getByRole('button', { name: 'Add filter' }).click();
    await page.locator('.notice-success', { hasText: 'Added guilty filter for "handle_request [/usr/bin/exampled]"' }).waitFor();
    await page.locator('.blacklist-table', { hasText: 'handle_request' }).waitFor();
    await page.goto(`${server.baseUrl}/crashes/blacklist/remove`);
    await page.getByRole('button', { name: 'Remove filter handle_request [/usr/bin/exampled]' }).click();
    await page.locator('.notice-success', { hasText: 'Removed guilty filter' }).waitFor();
    await page.goto(`${server.baseUrl}/crashes/blacklist/reset`);
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.locator('.notice-success', { hasText: 'Successfully triggered a guilty reset' }).waitFor();
    await page.locator('.reprocess').waitFor();
    await saveScreenshot(page, 'blacklist-reset');
  });

  test('grouping by signature lists the top signatures per build', async (t) => {
    if (needsApi(t)) return;
    await topGuilties();
    const { signatures } = await fetchJson<{ signatures: { signature: string; total: number }[] }>(server.baseUrl, '/api/crashes/signatures?limit=10');
    await page.goto(`${server.baseUrl}/crashes?group=signature`);
    await page.waitForSelector('table.crash-table tbody tr');
    const shown = await page.locator('table.crash-table tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
    assert.deepEqual(shown, signatures.map((s) => s.signature));
  });
});
