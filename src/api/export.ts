// Streams every record matching a filter, newest first, with no row cap and constant
// memory: keyset pages of EXPORT_BATCH_SIZE rows (id < last id), each its own short
// read query, written as they arrive. The first page is read before the answer starts,
// so a bad filter still gets a clean 400/503.

import { Readable } from 'node:stream';
import type { RecordFilter } from '../db/queries/record-filter.ts';
import { listRecords, type RecordRow } from '../db/queries/records-query.ts';
import { runReadQuery, type QueryContext } from './query-runner.ts';
import { listFilterRegexes } from './record-filter.ts';

export const EXPORT_BATCH_SIZE = 5000;

export interface ExportFormat {
  /** written once before the first row (with its line ending), or '' */
  header: string;
  formatRow(row: RecordRow): string;
}

/** A readable stream of the formatted export; rejects (before any byte) when the first page fails. */
export async function openRecordExport(context: QueryContext, filter: RecordFilter, format: ExportFormat, onError: (err: unknown) => void): Promise<Readable> {
  const regexes = listFilterRegexes(filter);
  const readPage = (beforeId: bigint | undefined) => {
    const page: RecordFilter = beforeId === undefined ? filter : { ...filter, beforeId };
    return runReadQuery(context, regexes, (db) => listRecords(db, page, EXPORT_BATCH_SIZE));
  };
  const first = await readPage(filter.beforeId);

  async function* generate(): AsyncGenerator<string> {
    let page = first;
    yield format.header + formatPage(page, format);
    while (page.length === EXPORT_BATCH_SIZE) {
      const last = page[page.length - 1] as RecordRow;
      try {
        page = await readPage(BigInt(last.id));
      } catch (err) {
        onError(err);
        throw err;
      }
      if (page.length > 0) yield formatPage(page, format);
    }
  }
  return Readable.from(generate(), { objectMode: false });
}

function formatPage(rows: readonly RecordRow[], format: ExportFormat): string {
  let text = '';
  for (const row of rows) text += format.formatRow(row);
  return text;
}
