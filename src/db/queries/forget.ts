// Deletion on request: every record of one machine id and what derives from it
// (crash analyses, duplicate-detection fingerprints), plus quarantined requests that
// carry the id. Deletes in bounded batches, each its own short transaction.

import type { Queryable } from '../pool.ts';
import { deleteRecordBatch } from './retention.ts';

const BATCH_SIZE = 10_000;
/** Shorter ids are too likely to occur by chance in an unrelated quarantined body. */
const BODY_MATCH_MIN_LENGTH = 8;

export interface ForgetResult {
  records: number;
  crashAnalyses: number;
  fingerprints: number;
  quarantinedRequests: number;
}

/**
 * Deletes every record whose machine_id is `machineId` (of any age) with its derived
 * rows, and the quarantined requests carrying that id. Records the machine sends
 * afterwards are stored as usual.
 */
export async function forgetMachine(db: Queryable, machineId: string, options: { batchSize?: number } = {}): Promise<ForgetResult> {
  const limit = options.batchSize ?? BATCH_SIZE;
  const result: ForgetResult = { records: 0, crashAnalyses: 0, fingerprints: 0, quarantinedRequests: 0 };
  const filter = { anyOf: [{ field: 'machine_id' as const, value: machineId, days: 0 }] };
  let afterId = '-9223372036854775808';
  for (;;) {
    const batch = await deleteRecordBatch(db, { from: '-infinity', to: 'infinity', filter, afterId, limit });
    result.records += batch.records;
    result.crashAnalyses += batch.crashAnalyses;
    result.fingerprints += batch.fingerprints;
    if (batch.selected < limit || batch.lastId === null) break;
    afterId = batch.lastId;
  }
  result.quarantinedRequests = await deleteQuarantinedRequestsOfMachine(db, machineId);
  return result;
}

/**
 * Deletes quarantined requests naming the machine: a Machine-Id header (any spelling)
 * with that value, or, for ids of 8 characters or more, the id anywhere in the body
 * (a JSON record's machine_id field).
 */
export async function deleteQuarantinedRequestsOfMachine(db: Queryable, machineId: string): Promise<number> {
  const result = await db.query(
    `DELETE FROM quarantined_records q
     WHERE EXISTS (SELECT 1 FROM jsonb_each_text(q.headers) h WHERE replace(lower(h.key), '_', '-') = 'machine-id' AND h.value = $1)
        OR (length($1) >= $2 AND position(convert_to($1, 'UTF8') IN q.body) > 0)`,
    [machineId, BODY_MATCH_MIN_LENGTH],
  );
  return result.rowCount ?? 0;
}
