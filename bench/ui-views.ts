// How fast each UI view paints and shows its data, in Debian's chromium, against a
// running server (default http://127.0.0.1:8080; `--url`) started with `--public-read`
// (the views then load without signing in). Seed the database first
// (e.g. 1 million records). Prints the median over warm loads and the ratio against a
// baseline view that reads no data (the not-found view: HTML, bundle and first render).
//   npx tsx bench/ui-views.ts --url http://127.0.0.1:8080 [--runs 5]

import { launchBrowser } from '../test/ui/browser.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? (args[i + 1] as string) : fallback;
};
const baseUrl = option('--url', 'http://127.0.0.1:8080');
const runs = Number(option('--runs', '5'));

/** Each view and the element that means "its data is shown" (or an empty or error state). */
const VIEWS: Array<[string, string]> = [
  ['/no/such/view', 'h1'],
  ['/', '.summary[data-total], table.records-table tbody tr'],
  ['/records', 'table.records-table tbody tr'],
  ['/records?classification=org.clearlinux/crash/*', 'table.records-table tbody tr'],
  ['/builds', 'figure.chart-figure canvas'],
  ['/stats', '.share-list'],
  ['/population', '[data-window]'],
  ['/mce', '.top-machines, .caption ~ .status-empty'],
  ['/thermal', 'figure.chart-figure canvas, .caption ~ .status-empty'],
];

const browser = await launchBrowser();
const page = await browser.newPage();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const rows: Array<{ path: string; paint: number; data: number }> = [];
try {
  for (const [path, selector] of VIEWS) {
    const paints: number[] = [];
    const datas: number[] = [];
    for (let i = 0; i <= runs; i++) {
      await page.goto(`${baseUrl}${path}`);
      await page.waitForSelector(`${selector}, .status-error`, { timeout: 60_000 });
      const data = Number(await page.evaluate('performance.now()'));
      const paint = Number(await page.evaluate("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN"));
      if (i === 0) continue; // the first load warms caches
      paints.push(paint);
      datas.push(data);
    }
    rows.push({ path, paint: median(paints), data: median(datas) });
  }
} finally {
  await browser.close();
}
const base = rows[0] as { data: number };
console.log('view | first contentful paint ms | data shown ms | data shown / baseline');
for (const r of rows) console.log(`${r.path} | ${r.paint.toFixed(0)} | ${r.data.toFixed(0)} | ${(r.data / base.data).toFixed(2)}`);
