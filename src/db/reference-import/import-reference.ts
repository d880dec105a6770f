// Copies a reference server's database into ours: guilty rows (with comment and
// hidden flag) and the blacklist first, then records page by page, each record
// with its guilty as a crash_analysis row. A second run adds nothing
// (imported_records); only one import runs at a time (an advisory lock).

import {
  insertImportedRecords,
  insertImportedBlacklist,
  listReceiveDays,
  mergeImportedGuilties,
  type GuiltyToImport,
  type ImportedRecord,
  type MergedGuilty,
} from '../queries/reference-import.ts';
import { ensureRecordPartitions } from '../queries/records.ts';
import { insertCrashSignatures, type CrashSignatureRow } from '../queries/crash-signatures.ts';
import type { Pool, Queryable } from '../pool.ts';
import { withTransaction } from '../transaction.ts';
import { convertReferenceRecord } from './convert-record.ts';
import { countReferenceRecords, buildRecordPageQuery, listReferenceBlacklist, listReferenceGuilties, listReferenceRecords } from './reference-reads.ts';
import type { ReferenceSchema } from './reference-schema.ts';
import { ADVISORY_LOCKS } from '../advisory-locks.ts';

const IMPORT_LOCK_KEY = ADVISORY_LOCKS.referenceImport;
const GUILTY_COMMENT_MAX = 80; // our guilty.comment CHECK
const GUILTY_ATTEMPTS = 3;
const SKIP_EXAMPLES = 10;

/** What the server's crash analyser makes of a payload; the importer keeps the reference's guilty. */
export interface CrashDescription {
  signature: CrashSignatureRow | null;
  program: string | null;
  signal: number | null;
}
export type DescribeCrash = (payload: string, classification: string) => CrashDescription;

export interface ImportProgress {
  read: number;
  total: number;
  stored: number;
}

export interface ImportOptions {
  ours: Pool;
  reference: Queryable;
  schema: ReferenceSchema;
  batchSize: number;
  /** Called once guilty and blacklist are in (the analyser needs the blacklist); null skips signatures. */
  createCrashDescriber?: () => Promise<DescribeCrash | null>;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportSummary {
  guilty: { read: number; added: number; merged: number; present: number; commentsShortened: number };
  blacklist: { read: number; added: number; present: number };
  records: {
    read: number;
    stored: number;
    alreadyImported: number;
    withGuilty: number;
    skipped: number;
    skipExamples: string[];
    partitionsCreated: number;
    /** Oldest and newest receive time among the records read, ISO UTC. */
    oldest: string | null;
    newest: string | null;
  };
}

export class ImportBusyError extends Error {
  override name = 'ImportBusyError';
}

export async function importReference(options: ImportOptions): Promise<ImportSummary> {
  const lock = await options.ours.connect();
  try {
    const locked = await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [IMPORT_LOCK_KEY]);
    if (!locked.rows[0]?.ok) throw new ImportBusyError('another import-reference is running against this database; wait for it to finish');
    try {
      const { guilty, blacklist, guiltyIds } = await importAnnotations(options);
      const describe = (await options.createCrashDescriber?.()) ?? null;
      const records = await importRecords(options, guiltyIds, describe);
      return { guilty, blacklist, records };
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [IMPORT_LOCK_KEY]);
    }
  } finally {
    lock.release();
  }
}

/** Guilty rows and the blacklist, in one transaction; answers reference guilty id → ours. */
async function importAnnotations(options: ImportOptions) {
  const referenceGuilties = await listReferenceGuilties(options.reference, options.schema);
  const referenceBlacklist = await listReferenceBlacklist(options.reference, options.schema);
  let commentsShortened = 0;
  const toImport: GuiltyToImport[] = referenceGuilties.map((g) => {
    let comment = g.comment === null || g.comment.trim() === '' ? null : g.comment;
    if (comment !== null && [...comment].length > GUILTY_COMMENT_MAX) {
      commentsShortened++;
      comment = [...comment].slice(0, GUILTY_COMMENT_MAX).join('');
    }
    return { function: g.function ?? '', module: g.module ?? '', comment, hide: g.hide ?? false };
  });
  const pairs = referenceBlacklist.map((b) => ({ function: b.function ?? '', module: b.module ?? '' }));

  return withTransaction(options.ours, async (client) => {
    const merged = await mergeGuiltiesWithRetry(client, toImport);
    const byPair = new Map(merged.map((m) => [pairKey(m), m]));
    const guiltyIds = new Map<number, number>();
    referenceGuilties.forEach((g, i) => {
      const ours = byPair.get(pairKey(toImport[i] as GuiltyToImport));
      if (ours) guiltyIds.set(g.id, ours.id);
    });
    const count = (outcome: MergedGuilty['outcome']) => merged.filter((m) => m.outcome === outcome).length;
    const added = await insertImportedBlacklist(client, pairs);
    const distinctPairs = new Set(pairs.map(pairKey)).size;
    return {
      guilty: { read: referenceGuilties.length, added: count('added'), merged: count('merged'), present: count('present'), commentsShortened },
      blacklist: { read: referenceBlacklist.length, added, present: distinctPairs - added },
      guiltyIds,
    };
  });
}

// A pair that the running server's crash processor created after the statement's snapshot is
// missing from its answer: ask again for those.
async function mergeGuiltiesWithRetry(db: Queryable, guilties: readonly GuiltyToImport[]): Promise<MergedGuilty[]> {
  const found = new Map<string, MergedGuilty>();
  let missing = [...guilties];
  for (let attempt = 0; attempt < GUILTY_ATTEMPTS && missing.length > 0; attempt++) {
    for (const row of await mergeImportedGuilties(db, missing)) found.set(pairKey(row), row);
    missing = missing.filter((g) => !found.has(pairKey(g)));
  }
  if (missing.length > 0) throw new Error(`guilty rows not found after ${GUILTY_ATTEMPTS} attempts: ${missing.length}`);
  return [...found.values()];
}

async function importRecords(options: ImportOptions, guiltyIds: ReadonlyMap<number, number>, describe: DescribeCrash | null): Promise<ImportSummary['records']> {
  const summary: ImportSummary['records'] = {
    read: 0, stored: 0, alreadyImported: 0, withGuilty: 0, skipped: 0, skipExamples: [], partitionsCreated: 0, oldest: null, newest: null,
  };
  const total = await countReferenceRecords(options.reference);
  const pageQuery = buildRecordPageQuery(options.schema);
  const knownDays = new Set<string>();
  let afterId = 0;
  options.onProgress?.({ read: 0, total, stored: 0 });
  for (;;) {
    const page = await listReferenceRecords(options.reference, pageQuery, afterId, options.batchSize);
    if (page.length === 0) break;
    afterId = page[page.length - 1]?.id ?? afterId;
    summary.read += page.length;

    const batch: ImportedRecord[] = [];
    const signatures = new Map<string, CrashSignatureRow>();
    for (const row of page) {
      const converted = convertReferenceRecord(row);
      if (!converted.ok) {
        summary.skipped++;
        if (summary.skipExamples.length < SKIP_EXAMPLES) summary.skipExamples.push(`reference record ${row.id}: ${converted.reason}`);
        continue;
      }
      const guiltyId = row.guiltyId === null ? null : (guiltyIds.get(row.guiltyId) ?? null);
      const crash = guiltyId !== null && describe !== null ? describe(converted.value.payload, converted.value.classification) : null;
      if (crash?.signature) signatures.set(crash.signature.signature, crash.signature);
      batch.push({ ...converted.value, guiltyId, signature: crash?.signature?.signature ?? null, program: crash?.program ?? null, signal: crash?.signal ?? null });
    }

    // Partition DDL outside the batch transaction: it locks the records table.
    const days = await listReceiveDays(options.ours, batch.map((r) => r.timestampServer));
    for (const day of days) {
      if (knownDays.has(day)) continue;
      summary.partitionsCreated += await ensureRecordPartitions(options.ours, new Date(`${day}T00:00:00Z`), 1);
      knownDays.add(day);
    }
    if (days.length > 0) {
      summary.oldest = minDay(summary.oldest, days[0] as string);
      summary.newest = maxDay(summary.newest, days[days.length - 1] as string);
    }

    const result = await withTransaction(options.ours, async (client) => {
      await insertCrashSignatures(client, [...signatures.values()]);
      return insertImportedRecords(client, batch);
    });
    summary.stored += result.stored;
    summary.withGuilty += result.analysed;
    summary.alreadyImported += batch.length - result.stored;
    options.onProgress?.({ read: summary.read, total: Math.max(total, summary.read), stored: summary.stored });
  }
  return summary;
}

function pairKey(g: { function: string; module: string }): string {
  // PostgreSQL text never holds U+0000, so it separates the pair unambiguously.
  return `${g.function}\u0000${g.module}`;
}

function minDay(a: string | null, b: string): string {
  return a === null || b < a ? b : a;
}

function maxDay(a: string | null, b: string): string {
  return a === null || b > a ? b : a;
}
