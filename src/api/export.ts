// Streams every record matching a filter, newest first, with no row cap and constant
// memory: keyset pages of EXPORT_BATCH_SIZE rows (id < last id), each its own short
// read query, written as they arrive; at most two pages are held at a time. The first page is read before the answer starts,
// so a bad filter still gets a clean 400/503.

import { Readable } from 'node:stream';
import type { RecordFilter } from '../db/queries/record-filter.ts';
import { listRecords, type RecordRow } from '../db/queries/records-query.ts';
import { runReadQuery, type QueryContext } from './query-runner.ts';
import { listFilterRegexes } from './record-filter.ts';

export const EXPORT_BATCH_SIZE = 5000;
/** Text handed to the stream at a time: pages of large payloads would otherwise make multi-megabyte strings, slow to collect. */
const CHUNK_CHARS = 64 * 1024;

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

  // The next page is read while this one is formatted and sent, so PostgreSQL and the
  // event loop work side by side instead of taking turns.
  const prefetch = (page: readonly RecordRow[]): Promise<RecordRow[]> | null => {
    if (page.length < EXPORT_BATCH_SIZE) return null;
    const next = readPage(BigInt((page[page.length - 1] as RecordRow).id));
    next.catch(() => {}); // observed below; a client gone meanwhile must not leave it unhandled
    return next;
  };

  async function* generate(): AsyncGenerator<string> {
    let next = prefetch(first);
    yield* formatChunks(first, format, format.header);
    while (next) {
      let page: RecordRow[];
      try {
        page = await next;
      } catch (err) {
        onError(err);
        throw err;
      }
      next = prefetch(page);
      yield* formatChunks(page, format, '');
    }
  }
  return Readable.from(generate(), { objectMode: false });
}

function* formatChunks(rows: readonly RecordRow[], format: ExportFormat, prefix: string): Generator<string> {
  let text = prefix;
  for (const row of rows) {
    text += format.formatRow(row);
    if (text.length >= CHUNK_CHARS) {
      yield text;
      text = '';
    }
  }
  if (text !== '') yield text;
}
