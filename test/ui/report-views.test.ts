// The chart views (builds, stats, population, MCE, thermal) and the crash views in a
// real browser, against a server seeded through the collector: the numbers they show
// are the numbers the API answers.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.ts';
import { browserMissingReason, fetchJson, launchBrowser, saveScreenshot, type TestBrowser } from './browser.ts';
import { parseShownNumber, readTableRows } from './page-reading.ts';
import { foldRollupDeltas } from '../../src/db/queries/rollup-deltas.ts';
import { seedRecords } from './seed-ui-records.ts';
import { adminHeaders, signIn, startUiTestServer } from './sign-in.ts';

const skip = browserMissingReason() ?? false;

describe('chart views', { skip }, () => {
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;

  before(async () => {
    server = await startUiTestServer();
    await seedRecords(server.baseUrl);
    // Population lags ingest until the background fold: fold now, so page and API agree.
    await foldRollupDeltas(server.db.pool, true);
    browser = await launchBrowser();
    await signIn(browser.context, server.baseUrl);
    page = await browser.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The data table under the chart titled `title`. */
  const chartTable = (title: string) => page.locator('figure.chart-figure', { has: page.locator('figcaption', { hasText: title }) }).locator('details table').first();

  test('builds shows records per build as the API counts them', async () => {
    await page.goto(`${server.baseUrl}/builds`);
    await page.waitForSelector('figure.chart-figure canvas');
    const { builds } = await fetchJson<{ builds: { build: string; count: number }[] }>(server.baseUrl, '/api/stats/builds');
    const rows = await readTableRows(chartTable('Records per Build'));
    assert.deepEqual(rows.map(([b, n]) => [b, parseShownNumber(n ?? '')]), builds.map((b) => [b.build, b.count]));
    assert.equal(await page.title(), 'Build Stats - CLR Telemetry');
    await saveScreenshot(page, 'builds');
    // Hovering a bar shows its tooltip.
    const canvas = page.locator('figure.chart-figure .u-over').first();
    const box = await canvas.boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width / (2 * builds.length), box.y + box.height - 5);
    await page.locator('.chart-tooltip:not([hidden])').waitFor();
    assert.match(await page.locator('.chart-tooltip').innerText(), new RegExp(`Build: ${builds[0]?.build}`));
    // Numeric builds only: the Debian build "12" stays, any non-numeric one would go.
    await page.getByLabel('Numeric builds only').check();
    await page.waitForURL(/numeric=1/);
  });

  test('stats shows records per classification and per platform as the API counts them', async () => {
    await page.goto(`${server.baseUrl}/stats`);
    await page.waitForSelector('.share-list');
    const { classifications } = await fetchJson<{ classifications: { classification: string; count: number }[] }>(server.baseUrl, '/api/stats/classifications');
    const { platforms } = await fetchJson<{ platforms: { host_type: string; count: number }[] }>(server.baseUrl, '/api/stats/platforms');
    const lists = page.locator('.share-list table');
    const shownClasses = await readTableRows(lists.nth(0));
    assert.deepEqual(shownClasses.map((r) => [r[0], parseShownNumber(r[2] ?? '')]), classifications.map((c) => [c.classification, c.count]));
    const shownPlatforms = await readTableRows(lists.nth(1));
    assert.deepEqual(shownPlatforms.map((r) => [r[0], parseShownNumber(r[2] ?? '')]), platforms.map((p) => [p.host_type, p.count]));
    await saveScreenshot(page, 'stats');
  });

  test('population shows machines per build for each span as the API counts them', async () => {
    await page.goto(`${server.baseUrl}/population`);
    await page.waitForSelector('[data-window]');
    const population = await fetchJson<{ windows: { key: string; title: string; builds: { build: string; internal: number; external: number }[] }[] }>(server.baseUrl, '/api/stats/population');
    for (const w of population.windows) {
      const section = page.locator(`[data-window="${w.key}"]`);
      if (w.builds.length === 0) {
        assert.match(await section.innerText(), /no data/);
        continue;
      }
      const rows = await readTableRows(section.locator('details table'));
      assert.deepEqual(
        rows.map((r) => [r[0], parseShownNumber(r[1] ?? ''), parseShownNumber(r[2] ?? '')]),
        w.builds.map((b) => [b.build, b.internal, b.external]),
        w.title,
      );
    }
    assert.ok(population.windows.some((w) => w.builds.length > 0));
    await saveScreenshot(page, 'population');
  });

  test('MCE shows weekly, per build and per status counts and the top machines as the API counts them', async () => {
    await page.goto(`${server.baseUrl}/mce`);
    await page.waitForSelector('.top-machines');
    const mce = await fetchJson<{
      by_classification: { classification: string; count: number }[];
      by_build: { build: string; count: number }[];
      by_status: { status: string; count: number }[];
      top_machines: { machine_id: string; total: number }[];
    }>(server.baseUrl, '/api/stats/mce?top=1000');
    const total = mce.by_classification.reduce((sum, c) => sum + c.count, 0);
    assert.ok(total > 0);
    assert.match(await page.locator('.summary').innerText(), new RegExp(`^${total} reports`));
    const byBuild = await readTableRows(chartTable('MCE reports by build'));
    assert.deepEqual(byBuild.map((r) => [r[0], parseShownNumber(r[1] ?? '')]), mce.by_build.map((b) => [b.build, b.count]));
    const byStatus = await readTableRows(chartTable('MCE reports by status'));
    assert.deepEqual(byStatus.map((r) => [r[0], parseShownNumber(r[1] ?? '')]), mce.by_status.map((s) => [s.status, s.count]));
    const machines = await readTableRows(page.locator('.top-machines table'));
    assert.deepEqual(machines.map((r) => [r[1], parseShownNumber(r[r.length - 1] ?? '')]), mce.top_machines.slice(0, 10).map((m) => [m.machine_id, m.total]));
    const link = await page.locator('.top-machines tbody a').first().getAttribute('href');
    assert.equal(link, `/records?machine_id=${mce.top_machines[0]?.machine_id}&classification=${encodeURIComponent('org.clearlinux/mce/*')}`);
    await saveScreenshot(page, 'mce');
  });

  test('thermal shows reports per week as the API counts them', async () => {
    await page.goto(`${server.baseUrl}/thermal`);
    await page.waitForSelector('figure.chart-figure canvas, .status-empty');
    const thermal = await fetchJson<{ weeks: { week: number; count: number }[] }>(server.baseUrl, '/api/stats/thermal');
    assert.ok(thermal.weeks.length > 0);
    const rows = await readTableRows(chartTable('Thermal records'));
    assert.deepEqual(rows.map((r) => [r[0], parseShownNumber(r[1] ?? '')]), thermal.weeks.map((w) => [`Week: ${w.week}`, w.count]));
    await saveScreenshot(page, 'thermal');
  });

  test('an unknown address shows a not-found view, and the API keeps its JSON 404', async () => {
    await page.goto(`${server.baseUrl}/no/such/view`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    const api = await fetch(`${server.baseUrl}/api/no-such-route`, { headers: adminHeaders({ Accept: 'text/html' }) });
    assert.equal(api.status, 404);
    assert.equal(((await api.json()) as { code: string }).code, 'NOT_FOUND');
  });
});
