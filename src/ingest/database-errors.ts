// Tells a database that is down or unreachable (answer 503, retry later) apart from
// an error caused by the data of one statement.

const UNAVAILABLE_SQLSTATE_CLASSES = ['08', '53', '57', '58'];
const MISSING_PARTITION_SQLSTATE = '23514';

export function isDatabaseUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return UNAVAILABLE_SQLSTATE_CLASSES.includes(code.slice(0, 2));
  // No SQLSTATE: a socket error (ECONNREFUSED, ECONNRESET, ...), a pool or query timeout,
  // or a connection terminated mid-query.
  return true;
}

/** PostgreSQL found no partition for a row's received_at (23514 with that message). */
export function isMissingPartition(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return e.code === MISSING_PARTITION_SQLSTATE && typeof e.message === 'string' && e.message.includes('no partition');
}
