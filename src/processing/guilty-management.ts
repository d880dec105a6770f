// Guilty management for the API (reference §8.5 comment modal, §8.8 blacklist
// administration): hide, comment, blacklist changes that queue a reprocess job,
// "Reset", and "Apply" on one record. Errors are AppErrors the API answers as is.
// The plain reads live in db/queries: listHiddenGuilties (guilty.ts),
// listBlacklistEntries (blacklist.ts), listReprocessJobs and findReprocessJob
// (reprocess-jobs.ts), findCrashAnalysis (crash-analysis.ts).

import type { Logger } from 'pino';
import { isBacktraceClass } from '../crash/guilty.ts';
import { deleteBlacklistEntry, insertBlacklistEntry, type BlacklistRow } from '../db/queries/blacklist.ts';
import { findCrashRecordById } from '../db/queries/crash-analysis.ts';
import { lockCrashProcessing } from '../db/queries/crash-processing-lock.ts';
import { findGuiltyById, updateGuiltyComment, updateGuiltyHidden, type GuiltyRow } from '../db/queries/guilty.ts';
import { insertReprocessJob, type ReprocessJob } from '../db/queries/reprocess-jobs.ts';
import type { Pool, Queryable } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { AppError } from '../errors.ts';
import { analyseAndStoreCrashRecords, loadBlacklist, type CrashAnalysisOptions } from './crash-batch.ts';

/** reference §8.5: "comment (at most 80 characters)"; also a CHECK on guilty.comment. */
export const MAX_GUILTY_COMMENT_LENGTH = 80;
// guilty.id and guilty_blacklisted.id are PostgreSQL integers.
const POSTGRES_INT_MAX = 2_147_483_647;
// "Apply" waits at most this long for the background step in progress.
const APPLY_LOCK_TIMEOUT_MS = 10_000;
const LOCK_NOT_AVAILABLE = '55P03';

/** 404: no guilty with this id. */
export class GuiltyNotFoundError extends AppError {
  constructor(readonly guiltyId: number) {
    super('NOT_FOUND', `Guilty ${guiltyId} not found`);
    this.name = 'GuiltyNotFoundError';
  }
}

/** 404: no blacklist entry with this id. */
export class BlacklistEntryNotFoundError extends AppError {
  constructor(readonly entryId: number) {
    super('NOT_FOUND', `Blacklist entry ${entryId} not found`);
    this.name = 'BlacklistEntryNotFoundError';
  }
}

/** 404: no record with this id, or it is not of a crash class (the reference answered 500). */
export class CrashRecordNotFoundError extends AppError {
  constructor(readonly recordId: number) {
    super('NOT_FOUND', `Crash record ${recordId} not found`);
    this.name = 'CrashRecordNotFoundError';
  }
}

/** 400: a comment longer than 80 characters. */
export class CommentTooLongError extends AppError {
  constructor(length: number) {
    const message = `comment must be at most ${MAX_GUILTY_COMMENT_LENGTH} characters, got ${length}`;
    super('BODY_INVALID', message, { details: [{ field: 'comment', message }] });
    this.name = 'CommentTooLongError';
  }
}

/** 400: a blacklist entry without a function name (the frame regex requires one). */
export class BlacklistEntryInvalidError extends AppError {
  constructor() {
    const message = 'function must not be empty';
    super('BODY_INVALID', message, { details: [{ field: 'function', message }] });
    this.name = 'BlacklistEntryInvalidError';
  }
}

/** The result of a blacklist change: the entry, whether anything changed, and the queued reprocess job. */
export interface BlacklistChange {
  entry: BlacklistRow;
  changed: boolean;
  /** null when nothing changed (adding a present entry). */
  job: ReprocessJob | null;
}

/** What "Apply" needs: the processing options and a logger (CrashProcessor.options fits). */
export interface ApplyOptions extends CrashAnalysisOptions {
  logger: Logger;
}

/** The result of "Apply": the record's guilty (null when none is found) and signature. */
export interface AppliedRecord {
  recordId: number;
  guilty: GuiltyRow | null;
  signature: string | null;
}

/** Hides (true) or shows again (false) a guilty in the top-crashes lists. */
export async function setGuiltyHidden(db: Queryable, guiltyId: number, hidden: boolean): Promise<GuiltyRow> {
  const row = isPostgresId(guiltyId) ? await updateGuiltyHidden(db, guiltyId, hidden) : null;
  if (row === null) throw new GuiltyNotFoundError(guiltyId);
  return row;
}

/** Sets a guilty's comment; `''` or null clears it. At most 80 characters. */
export async function setGuiltyComment(db: Queryable, guiltyId: number, comment: string | null): Promise<GuiltyRow> {
  // Counted in code points, as PostgreSQL's char_length in the CHECK constraint.
  const length = comment === null ? 0 : [...comment].length;
  if (length > MAX_GUILTY_COMMENT_LENGTH) throw new CommentTooLongError(length);
  const row = isPostgresId(guiltyId) ? await updateGuiltyComment(db, guiltyId, length === 0 ? null : comment) : null;
  if (row === null) throw new GuiltyNotFoundError(guiltyId);
  return row;
}

/** Blacklists a (function, module) pair; idempotent. A new entry queues a reprocess job. */
export async function addBlacklistEntry(pool: Pool, entry: { function: string; module: string }): Promise<BlacklistChange> {
  if (entry.function === '') throw new BlacklistEntryInvalidError();
  return withTransaction(pool, async (client) => {
    // A concurrent add of the same pair is invisible to the statement that waited for it: ask again.
    const row = (await insertBlacklistEntry(client, entry.function, entry.module)) ?? (await insertBlacklistEntry(client, entry.function, entry.module));
    if (row === null) throw new Error('blacklist entry neither inserted nor found');
    const { created, ...stored } = row;
    if (!created) return { entry: stored, changed: false, job: null };
    const job = await insertReprocessJob(client, `blacklist add ${describePair(stored)}`);
    return { entry: stored, changed: true, job };
  });
}

/** Removes a blacklist entry by id and queues a reprocess job. */
export async function removeBlacklistEntry(pool: Pool, entryId: number): Promise<BlacklistChange> {
  if (!isPostgresId(entryId)) throw new BlacklistEntryNotFoundError(entryId);
  return withTransaction(pool, async (client) => {
    const entry = await deleteBlacklistEntry(client, entryId);
    if (entry === null) throw new BlacklistEntryNotFoundError(entryId);
    const job = await insertReprocessJob(client, `blacklist remove ${describePair(entry)}`);
    return { entry, changed: true, job };
  });
}

/**
 * "Submit" and "Reset": queues a background re-evaluation of every crash record against the
 * current blacklist, or joins the one waiting to start. Progress: findReprocessJob(job.id).
 */
export async function requestReprocess(db: Queryable, reason: string): Promise<ReprocessJob> {
  return insertReprocessJob(db, reason.trim() === '' ? 'reset' : reason.trim());
}

/** "Apply": recomputes one crash record now with the current blacklist and returns its new guilty. */
export async function applyToRecord(pool: Pool, recordId: number, options: ApplyOptions): Promise<AppliedRecord> {
  if (!Number.isSafeInteger(recordId) || recordId < 1) throw new CrashRecordNotFoundError(recordId);
  return withTransaction(pool, async (client) => {
    const record = await findCrashRecordById(client, recordId);
    if (record === null || !isBacktraceClass(record.classification, options.classes)) throw new CrashRecordNotFoundError(recordId);
    await lockCrashProcessing(client, APPLY_LOCK_TIMEOUT_MS).catch((err: unknown) => {
      if ((err as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw err;
      throw new AppError('DB_UNAVAILABLE', 'Crash processing is busy; retry later', { headers: { 'Retry-After': '5' } });
    });
    const batch = await analyseAndStoreCrashRecords(client, [record], await loadBlacklist(client), options, options.logger);
    const outcome = batch.outcomes[0];
    const guilty = outcome?.guiltyId != null ? await findGuiltyById(client, outcome.guiltyId) : null;
    return { recordId, guilty, signature: outcome?.signature ?? null };
  });
}

function isPostgresId(id: number): boolean {
  return Number.isInteger(id) && id >= 1 && id <= POSTGRES_INT_MAX;
}

function describePair(entry: { function: string; module: string }): string {
  return `"${entry.function} [${entry.module}]"`;
}
