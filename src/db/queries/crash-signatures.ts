// SQL of the crash_signatures table: the normalised frames behind each crash
// signature, for display. A signature is a hash of its frames: rows never change.

import type { Queryable } from '../pool.ts';

export interface CrashSignatureRow {
  signature: string;
  frames: string[];
}

// Frames come from single payload lines, so a newline separates them unambiguously.
const FRAME_SEPARATOR = '\n';

/** Stores the signatures not yet known. */
export async function insertCrashSignatures(db: Queryable, signatures: readonly CrashSignatureRow[]): Promise<void> {
  if (signatures.length === 0) return;
  await db.query({
    name: 'insert-crash-signatures',
    text: `INSERT INTO crash_signatures (signature, frames)
      SELECT signature, string_to_array(frames, E'\\n') FROM unnest($1::text[], $2::text[]) AS t(signature, frames)
      ON CONFLICT (signature) DO NOTHING`,
    values: [signatures.map((s) => s.signature), signatures.map((s) => s.frames.join(FRAME_SEPARATOR))],
  });
}

export async function findCrashSignature(db: Queryable, signature: string): Promise<CrashSignatureRow | null> {
  const result = await db.query<CrashSignatureRow>('SELECT signature, frames FROM crash_signatures WHERE signature = $1', [signature]);
  return result.rows[0] ?? null;
}
