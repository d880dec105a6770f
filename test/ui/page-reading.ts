// Reading what a UI page shows, for comparison with the API's JSON: record ids of the
// records table, rows of a table as text, and waiting for a view to settle.

import type { Locator, Page } from 'playwright-core';

/** Waits until the view shows data, an empty state or an error (not "Loading…"). */
export async function waitForView(page: Page, dataSelector: string): Promise<void> {
  await page.waitForSelector(`${dataSelector}, .status-empty, .status-error`, { timeout: 15_000 });
}

/** Ids of the rows of the records table, top to bottom. */
export async function readRecordIds(page: Page): Promise<number[]> {
  return page.locator('table.records-table tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-record-id'))));
}

/** Each row of the table's body as the text of its cells. */
export async function readTableRows(table: Locator): Promise<string[][]> {
  return table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.children as ArrayLike<{ textContent: string | null }>, (c) => (c.textContent ?? '').trim())));
}

/** A number as the UI formats it (`1,234`). */
export function parseShownNumber(text: string): number {
  return Number(text.replace(/,/g, ''));
}
