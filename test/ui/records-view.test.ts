// The records view and the dashboard in a real browser (Debian's chromium) against a
// server seeded through the collector: what they show is what the API answers.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.ts';
import { browserMissingReason, fetchJson, launchBrowser, saveScreenshot, type TestBrowser } from './browser.ts';
import { parseShownNumber, readRecordIds, readTableRows, waitForView } from './page-reading.ts';
import { postRecord, seedRecords, XSS_HOST_TYPE, XSS_PAYLOADS } from './seed-ui-records.ts';
import { adminHeaders, signIn, startUiTestServer } from './sign-in.ts';

interface ApiRecord {
  id: number;
  machine_id: string;
  build: string;
  severity: number;
  classification: string;
  payload: string;
}

const skip = browserMissingReason() ?? false;

describe('records view and dashboard', { skip }, () => {
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;

  before(async () => {
    server = await startUiTestServer();
    await seedRecords(server.baseUrl);
    browser = await launchBrowser();
    await signIn(browser.context, server.baseUrl);
    page = await browser.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The ids GET /api/records gives for the view's filter (all time, newest first). */
  async function apiIds(params: Record<string, string>, limit = 50): Promise<number[]> {
    const query = new URLSearchParams({ received_from: '0', limit: String(limit), ...params });
    const { records } = await fetchJson<{ records: ApiRecord[] }>(server.baseUrl, `/api/records?${query}`);
    return records.map((r) => r.id);
  }

  async function openRecords(query: string): Promise<void> {
    await page.goto(`${server.baseUrl}/records${query}`);
    await waitForView(page, 'table.records-table tbody tr');
  }

  test('shows the newest 50 records in the order the API lists them', async () => {
    await openRecords('');
    const shown = await readRecordIds(page);
    assert.equal(shown.length, 50);
    assert.deepEqual(shown, await apiIds({}));
    assert.equal(await page.title(), 'CLR Telemetry');
    await saveScreenshot(page, 'records');
  });

  test('narrows the list with the filter form and writes the filter into the URL', async () => {
    await openRecords('');
    await page.locator('details.filters summary').click();
    await page.getByLabel('Severity').selectOption('4');
    await page.getByLabel('Classification').fill('org.clearlinux/crash/*');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/severity=4/);
    await waitForView(page, 'table.records-table tbody tr');
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('classification'), 'org.clearlinux/crash/*');
    const expected = await apiIds({ severity: '4', classification: 'org.clearlinux/crash/*' });
    assert.equal(expected.length, 6);
    assert.deepEqual(await readRecordIds(page), expected);
    await saveScreenshot(page, 'records-filtered');
  });

  test('applies every filter of the reference from the URL', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const cases: Array<{ view: Record<string, string>; api: Record<string, string> }> = [
      { view: { classification: 'org.clearlinux/mce/*' }, api: { classification: 'org.clearlinux/mce/*' } },
      { view: { classification: 'org.clearlinux/*' }, api: { classification: 'org.clearlinux/*' } },
      { view: { data_source: 'external' }, api: { data_source: 'external' } },
      { view: { data_source: 'internal', severity: '1' }, api: { data_source: 'internal', severity: '1' } },
      { view: { machine_id: 'crash-machine-1' }, api: { machine_id: 'crash-machine-1' } },
      { view: { system_name: 'debian' }, api: { system_name: 'debian' } },
      { view: { build: '31010' }, api: { build: '31010' } },
      { view: { payload: 'parse_item|render_frame' }, api: { payload: 'parse_item|render_frame' } },
      { view: { not_payload: 'filler|hello' }, api: { not_payload: 'filler|hello' } },
      { view: { from_date: today, to_date: tomorrow }, api: { created_from: today, created_to: tomorrow } },
    ];
    for (const c of cases) {
      await openRecords(`?${new URLSearchParams(c.view)}`);
      const expected = await apiIds(c.api);
      assert.ok(expected.length > 0, `case ${JSON.stringify(c.view)} matches records`);
      assert.deepEqual(await readRecordIds(page), expected, `filter ${JSON.stringify(c.view)}`);
    }
    await openRecords('?machine_id=no-such-machine');
    assert.match(await page.locator('.status-empty').innerText(), /No records match/);
  });

  test('shows the API error when a filter is invalid', async () => {
    await page.goto(`${server.baseUrl}/records?payload=${encodeURIComponent('(unclosed')}`);
    await page.waitForSelector('.status-error');
    assert.match(await page.locator('.status-error').innerText(), /payload/i);
  });

  test('loads the next 50 older records with "Load more"', async () => {
    await openRecords('');
    const first = await apiIds({});
    await page.getByRole('button', { name: 'Load more…' }).click();
    await page.locator('table.records-table tbody tr').nth(50).waitFor();
    const shown = await readRecordIds(page);
    const next = await apiIds({ before_id: String(first[first.length - 1]) });
    assert.deepEqual(shown, [...first, ...next]);
  });

  test('live mode prepends records as they arrive', async () => {
    await openRecords('?live=1');
    assert.ok(await page.getByLabel('Stream new records').isChecked());
    const id = await postRecord(server.baseUrl, { classification: 'org.clearlinux/hello/world', severity: 2, machineId: 'live-machine', build: '31020', payload: 'arrived while watching\n' });
    await page.waitForSelector(`tr[data-record-id="${id}"]`, { timeout: 15_000 });
    assert.equal((await readRecordIds(page))[0], id);
    // A filtered live view ignores records that do not match.
    await openRecords('?live=1&machine_id=live-machine');
    const other = await postRecord(server.baseUrl, { classification: 'org.clearlinux/hello/world', severity: 2, machineId: 'other-machine', build: '31020', payload: 'x\n' });
    const mine = await postRecord(server.baseUrl, { classification: 'org.clearlinux/hello/world', severity: 2, machineId: 'live-machine', build: '31020', payload: 'y\n' });
    await page.waitForSelector(`tr[data-record-id="${mine}"]`, { timeout: 15_000 });
    assert.deepEqual(await readRecordIds(page), [mine, id]);
    assert.equal(await page.locator(`tr[data-record-id="${other}"]`).count(), 0);
  });

  test('details panel shows the record and links that filter by its fields', async () => {
    const [crashId] = await apiIds({ classification: 'org.clearlinux/crash/clr' }, 1);
    const record = await fetchJson<ApiRecord>(server.baseUrl, `/api/records/${crashId}`);
    await openRecords('?classification=org.clearlinux/crash/clr');
    await page.locator(`tr[data-record-id="${crashId}"] button`).click();
    await page.waitForURL(new RegExp(`record=${crashId}`));
    const panel = page.locator('aside.details-panel');
    await panel.locator('pre.payload').waitFor();
    assert.equal(await panel.locator('pre.payload').textContent(), record.payload);
    const links = await panel.locator('dd a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(links.includes(`/records?machine_id=${record.machine_id}`));
    assert.ok(links.includes(`/records?build=${record.build}`));
    assert.ok(links.includes(`/records?severity=${record.severity}`));
    assert.ok(links.includes(`/records?classification=${encodeURIComponent(record.classification)}`));
    await saveScreenshot(page, 'record-details');

    await panel.getByRole('link', { name: record.machine_id }).click();
    await page.waitForURL(/machine_id=/);
    await waitForView(page, 'table.records-table tbody tr');
    assert.deepEqual(await readRecordIds(page), await apiIds({ machine_id: record.machine_id }));
    // Back restores the previous view with its open panel.
    await page.goBack();
    await page.waitForURL(new RegExp(`record=${crashId}`));
    await panel.locator('pre.payload').waitFor();
    await page.keyboard.press('Escape');
    await page.waitForURL((url) => !url.searchParams.has('record'));
  });

  test('shows markup from clients as text and never runs it', async () => {
    await openRecords('?classification=org.clearlinux/hello/world');
    const payloads = await page.locator('td.payload-cell').allInnerTexts();
    for (const xss of XSS_PAYLOADS) assert.ok(payloads.some((p) => p.includes(xss)), `payload shown literally: ${xss}`);
    const [xssId] = await apiIds({ classification: 'org.clearlinux/hello/world', payload: 'onerror' }, 1);
    await page.locator(`tr[data-record-id="${xssId}"] button`).click();
    await page.locator('aside.details-panel pre.payload').waitFor();
    assert.equal(await page.locator('aside.details-panel pre.payload').textContent(), XSS_PAYLOADS[1]);
    await page.goto(`${server.baseUrl}/stats`);
    // Both lists: classifications and platforms load on their own, in either order.
    await page.locator('.share-list').nth(1).waitFor();
    assert.ok((await page.locator('.share-list').allInnerTexts()).join('\n').includes(XSS_HOST_TYPE));
    assert.equal(await page.locator('main img, main script').count(), 0);
    assert.equal(await page.evaluate('window.__xss'), undefined);
    await saveScreenshot(page, 'stats-with-markup');
  });

  test('export links stream the current filter as CSV and JSON Lines', async () => {
    await openRecords('?severity=4');
    const csv = await page.getByRole('link', { name: 'CSV', exact: true }).getAttribute('href');
    const jsonl = await page.getByRole('link', { name: 'JSON Lines' }).getAttribute('href');
    assert.equal(csv, '/api/export/records.csv?severity=4');
    assert.equal(jsonl, '/api/export/records.jsonl?severity=4');
    const csvAnswer = await fetch(`${server.baseUrl}${csv}`, { headers: adminHeaders() });
    assert.match(csvAnswer.headers.get('content-type') ?? '', /^text\/csv/);
    const lines = (await (await fetch(`${server.baseUrl}${jsonl}`, { headers: adminHeaders() })).text()).trim().split('\n');
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as ApiRecord).id), await apiIds({ severity: '4' }));
  });

  test('dashboard shows records over time and the latest records as the API counts them', async () => {
    await page.goto(`${server.baseUrl}/?range=7d`);
    await page.waitForSelector('.summary[data-total]');
    const { classifications } = await fetchJson<{ classifications: { count: number }[] }>(server.baseUrl, '/api/stats/classifications');
    const all = classifications.reduce((sum, c) => sum + c.count, 0);
    assert.equal(Number(await page.locator('.summary[data-total]').getAttribute('data-total')), all);
    const totals = await readTableRows(page.locator('figure:has-text("Records per classification") details table'));
    assert.equal(totals.reduce((sum, row) => sum + parseShownNumber(row[1] ?? '0'), 0), all);
    await page.waitForSelector('table.records-table tbody tr');
    assert.deepEqual(await readRecordIds(page), await apiIds({}, 10));
    assert.equal(await page.locator('canvas').count() > 0, true);
    await saveScreenshot(page, 'dashboard');
    // The range is shared with the next view through the URL.
    await page.getByLabel('Time range').selectOption('24h');
    await page.waitForURL(/range=24h/);
    await page.getByRole('link', { name: 'Builds' }).click();
    await page.waitForURL(/\/builds\?range=24h/);
  });

  test('keeps the view in the URL so back and forward work', async () => {
    await page.goto(`${server.baseUrl}/builds`);
    await page.getByRole('heading', { name: 'Records per Build' }).waitFor();
    await page.getByRole('link', { name: 'Stats' }).click();
    await page.getByRole('heading', { name: 'General Stats' }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { name: 'Records per Build' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/builds');
    await page.goForward();
    await page.getByRole('heading', { name: 'General Stats' }).waitFor();
    // Keyboard: the skip link, then the tabs, are reachable with Tab and work with Enter.
    await page.goto(`${server.baseUrl}/stats`);
    // The tabs appear once the session is known; before that Tab goes from the brand to API.
    await page.getByRole('link', { name: 'Dashboard' }).waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Dashboard');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/records$/);
  });

  test('fits a phone screen without sideways scrolling of the page', async () => {
    const phone = await browser.newPage(390, 844);
    try {
      for (const [path, name] of [
        ['/records', 'records-phone'],
        ['/', 'dashboard-phone'],
      ] as const) {
        await phone.goto(`${server.baseUrl}${path}`);
        await phone.waitForSelector('table.records-table tbody tr');
        assert.ok(Number(await phone.evaluate('document.documentElement.scrollWidth')) <= 392, `${path} fits 390 px`);
        await saveScreenshot(phone, name);
      }
    } finally {
      await phone.close();
    }
  });
});
