// Tells a database that is down or unreachable (answer 503, retry later) apart from
// an error caused by the data of one statement. Built on the shared classifier of
// db/connection-errors.ts, and broader than it on purpose (see isDatabaseUnavailable).

import { isDatabaseConnectionError, sqlState } from '../db/connection-errors.ts';

const MISSING_PARTITION_SQLSTATE = '23514';

/**
 * A connection-class error, or any error without a SQLSTATE (a pool or query timeout, a
 * connection terminated mid-query, a socket error in words the classifier does not know):
 * the record was not stored, so the client gets 503 and retries, rather than a 400 or
 * 500 that would make it drop the record.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  return sqlState(err) === undefined || isDatabaseConnectionError(err);
}

/** PostgreSQL found no partition for a row's received_at (23514 with that message). */
export function isMissingPartition(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return e.code === MISSING_PARTITION_SQLSTATE && typeof e.message === 'string' && e.message.includes('no partition');
}
