// Analyses a batch of crash records and stores the outcome of each: finds or
// creates their guilties, stores new signatures, and upserts one crash_analysis
// row per record, in a few statements whatever the batch size. Runs inside the
// caller's transaction, which must hold the crash processing lock.

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import { Blacklist } from '../crash/blacklist.ts';
import type { Guilty } from '../crash/guilty.ts';
import type { CrashAnalysisToStore, CrashRecordRow } from '../db/queries/crash-analysis.ts';
import { upsertCrashAnalyses } from '../db/queries/crash-analysis.ts';
import { listBlacklistEntries } from '../db/queries/blacklist.ts';
import { insertCrashSignatures, type CrashSignatureRow } from '../db/queries/crash-signatures.ts';
import { findOrCreateGuilties } from '../db/queries/guilty.ts';
import type { Queryable } from '../db/pool.ts';
import { analyseCrashOutcome, type AnalysedCrash } from './crash-outcome.ts';

/** What decides a record's outcome besides its payload and the blacklist. */
export interface CrashAnalysisOptions {
  /** Classifications that get a guilty and a signature (config crash.classes). */
  classes: readonly string[];
  /** Frames in a signature (config crash.signatureFrames). */
  signatureFrames: number;
}

/** One record's stored outcome. */
export interface CrashOutcome {
  recordId: number;
  guiltyId: number | null;
  guilty: Guilty | null;
  signature: string | null;
}

export interface StoredBatch {
  outcomes: CrashOutcome[];
  /** Rows inserted or changed. */
  written: number;
  /** Records whose analysis threw (a bug in crash/): stored without guilty. */
  failed: number;
  /** Guilty ids and signatures this batch read or wrote: for StoredCrashKeys once committed. */
  learned: { guiltyIds: Map<string, number>; signatures: string[] };
}

// Enough for every guilty and signature of a large fleet; past it the cache starts over.
const MAX_KNOWN_KEYS = 200_000;

/**
 * Guilty ids and signatures known to be stored, so a batch skips their statements. Both
 * tables' rows never change or go, so an entry stays true once its transaction committed:
 * remember a batch's keys only after its commit.
 */
export class StoredCrashKeys {
  readonly #guiltyIds = new Map<string, number>();
  readonly #signatures = new Set<string>();

  guiltyId(guilty: Guilty): number | undefined {
    return this.#guiltyIds.get(guiltyKey(guilty));
  }

  hasSignature(signature: string): boolean {
    return this.#signatures.has(signature);
  }

  remember(learned: StoredBatch['learned']): void {
    if (this.#guiltyIds.size + learned.guiltyIds.size > MAX_KNOWN_KEYS) this.#guiltyIds.clear();
    if (this.#signatures.size + learned.signatures.length > MAX_KNOWN_KEYS) this.#signatures.clear();
    for (const [key, id] of learned.guiltyIds) this.#guiltyIds.set(key, id);
    for (const signature of learned.signatures) this.#signatures.add(signature);
  }
}

// Analysis runs on the event loop: give the collector a turn after this much of it.
const YIELD_AFTER_MS = 2;
const GUILTY_ATTEMPTS = 3;

export async function analyseAndStoreCrashRecords(
  db: Queryable,
  records: readonly CrashRecordRow[],
  blacklist: Blacklist,
  options: CrashAnalysisOptions,
  logger: Logger,
  known: StoredCrashKeys | null = null,
): Promise<StoredBatch> {
  const analyses: Array<AnalysedCrash | null> = [];
  let failed = 0;
  let sliceStart = performance.now();
  for (let i = 0; i < records.length; i++) {
    if (performance.now() - sliceStart > YIELD_AFTER_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
    const record = records[i] as CrashRecordRow;
    try {
      analyses.push(analyseCrashOutcome(record.payload, record.classification, blacklist, options));
    } catch (err) {
      // crash/ never throws on input; if it does, the record is stored without guilty rather than retried forever.
      failed++;
      logger.error({ err, recordId: record.id }, 'crash analysis failed; storing the record without guilty');
      analyses.push(null);
    }
  }

  const guiltyIds = new Map<string, number>();
  const unknownGuilties: Guilty[] = [];
  for (const a of analyses) {
    if (!a?.guilty) continue;
    const id = known?.guiltyId(a.guilty);
    if (id === undefined) unknownGuilties.push(a.guilty);
    else guiltyIds.set(guiltyKey(a.guilty), id);
  }
  const found = await findGuiltyIds(db, unknownGuilties);
  for (const [key, id] of found) guiltyIds.set(key, id);
  const signatures = new Map<string, CrashSignatureRow>();
  for (const a of analyses) {
    if (a?.signature && !known?.hasSignature(a.signature.signature)) signatures.set(a.signature.signature, a.signature);
  }
  await insertCrashSignatures(db, [...signatures.values()]);

  const rows: CrashAnalysisToStore[] = [];
  const outcomes: CrashOutcome[] = [];
  records.forEach((record, i) => {
    const a = analyses[i] ?? null;
    const guilty = a?.guilty ?? null;
    const guiltyId = guilty ? (guiltyIds.get(guiltyKey(guilty)) ?? null) : null;
    const signature = a?.signature?.signature ?? null;
    rows.push({ recordId: record.id, receivedAt: record.receivedAt, guiltyId, signature, program: a?.process ?? null, signal: a?.signal ?? null });
    outcomes.push({ recordId: record.id, guiltyId, guilty, signature });
  });
  const written = await upsertCrashAnalyses(db, rows);
  return { outcomes, written, failed, learned: { guiltyIds: found, signatures: [...signatures.keys()] } };
}

async function findGuiltyIds(db: Queryable, guilties: readonly Guilty[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  let missing = uniqueGuilties(guilties);
  // A pair created by a concurrent transaction is invisible to the statement that waited for it.
  for (let attempt = 0; attempt < GUILTY_ATTEMPTS && missing.length > 0; attempt++) {
    for (const row of await findOrCreateGuilties(db, missing)) ids.set(guiltyKey(row), row.id);
    missing = missing.filter((g) => !ids.has(guiltyKey(g)));
  }
  if (missing.length > 0) throw new Error(`guilty rows not found after ${GUILTY_ATTEMPTS} attempts: ${missing.length}`);
  return ids;
}

function uniqueGuilties(guilties: readonly Guilty[]): Guilty[] {
  const unique = new Map<string, Guilty>();
  for (const g of guilties) unique.set(guiltyKey(g), g);
  return [...unique.values()];
}

// PostgreSQL text never holds U+0000, so it separates the pair unambiguously.
function guiltyKey(g: Guilty): string {
  return `${g.function}\u0000${g.module}`;
}

/** The blacklist as stored now. */
export async function loadBlacklist(db: Queryable): Promise<Blacklist> {
  return new Blacklist(await listBlacklistEntries(db));
}
