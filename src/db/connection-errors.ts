// Tells an error of an unreachable or failing database server (answer 503 and let the
// caller retry) apart from one caused by a statement's own data, or a bug.

const UNAVAILABLE_SQLSTATE_CLASSES = ['08', '53', '57', '58'];
const SOCKET_ERROR_CODES = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENOENT', 'EAI_AGAIN'];
const DRIVER_UNAVAILABLE_MESSAGES = [/timeout exceeded when trying to connect/i, /Connection terminated/i, /Query read timeout/i, /Client has encountered a connection error/i];

/** The SQLSTATE of a PostgreSQL error (not a socket error code), or undefined. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !SOCKET_ERROR_CODES.includes(code) ? code : undefined;
}

/** A socket error, a connection-class SQLSTATE (08, 53, 57, 58) or the driver's words for a lost connection. */
export function isDatabaseConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && SOCKET_ERROR_CODES.includes(e.code)) return true;
  const state = sqlState(err);
  if (state) return UNAVAILABLE_SQLSTATE_CLASSES.includes(state.slice(0, 2));
  return typeof e?.message === 'string' && DRIVER_UNAVAILABLE_MESSAGES.some((re) => re.test(e.message as string));
}
