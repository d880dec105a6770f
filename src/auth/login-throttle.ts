// Login throttling: at most ACCOUNT_MAX_FAILURES failed logins per account name and
// ADDRESS_MAX_FAILURES per client address in a window; past that, 429 until it ends.
// Counted in the database, so every server process shares the counts.

import type { Queryable } from '../db/pool.ts';
import { clearLoginFailures, deleteStaleLoginAttempts, findLoginLockSeconds, recordLoginFailure } from '../db/queries/login-attempts.ts';
import { AppError } from '../errors.ts';

export const LOGIN_WINDOW_SECONDS = 15 * 60;
export const ACCOUNT_MAX_FAILURES = 5;
export const ADDRESS_MAX_FAILURES = 20;

/** The name as typed (case-sensitive, as stored), cut to keep keys small; NUL, which PostgreSQL text cannot hold, replaced. */
function accountKey(username: string): string {
  return username.slice(0, 128).replaceAll('\u0000', '\ufffd');
}

/** Throws LOGIN_THROTTLED (with Retry-After) when the account or the address has failed too often. */
export async function assertLoginAllowed(db: Queryable, username: string, address: string): Promise<void> {
  const [account, byAddress] = await Promise.all([
    findLoginLockSeconds(db, 'account', accountKey(username), ACCOUNT_MAX_FAILURES, LOGIN_WINDOW_SECONDS),
    findLoginLockSeconds(db, 'address', address, ADDRESS_MAX_FAILURES, LOGIN_WINDOW_SECONDS),
  ]);
  const wait = Math.max(account, byAddress);
  if (wait > 0) throw new AppError('LOGIN_THROTTLED', undefined, { headers: { 'Retry-After': String(wait) } });
}

export async function noteLoginFailure(db: Queryable, username: string, address: string): Promise<void> {
  await recordLoginFailure(db, 'account', accountKey(username), LOGIN_WINDOW_SECONDS);
  await recordLoginFailure(db, 'address', address, LOGIN_WINDOW_SECONDS);
}

/** A successful login clears its account's count (not the address's: one good account must not unlock guessing at others). */
export async function noteLoginSuccess(db: Queryable, username: string): Promise<void> {
  await clearLoginFailures(db, 'account', accountKey(username));
  // Housekeeping on a rare, cheap occasion: counts of finished windows are dead weight.
  await deleteStaleLoginAttempts(db, LOGIN_WINDOW_SECONDS);
}
