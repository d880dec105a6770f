// SQL of login_attempts: failed logins counted per account name and per client
// address in a fixed window, shared by every server process on the database.

import type { Queryable } from '../pool.ts';

export type LoginScope = 'account' | 'address';

/** Seconds until the key may try again, or 0 when it is under `maxFailures` in the window. */
export async function findLoginLockSeconds(db: Queryable, scope: LoginScope, key: string, maxFailures: number, windowSeconds: number): Promise<number> {
  const result = await db.query<{ wait: number }>(
    `SELECT ceil(extract(epoch FROM window_start + make_interval(secs => $4::int) - now()))::int AS wait
       FROM login_attempts
      WHERE scope = $1 AND key = $2 AND failures >= $3::int AND window_start > now() - make_interval(secs => $4::int)`,
    [scope, key, maxFailures, windowSeconds],
  );
  return Math.max(0, result.rows[0]?.wait ?? 0);
}

/** Counts one failure, starting a new window when the last one is over. */
export async function recordLoginFailure(db: Queryable, scope: LoginScope, key: string, windowSeconds: number): Promise<void> {
  await db.query(
    `INSERT INTO login_attempts AS a (scope, key, failures, window_start) VALUES ($1, $2, 1, now())
     ON CONFLICT (scope, key) DO UPDATE SET
       failures = CASE WHEN a.window_start > now() - make_interval(secs => $3::int) THEN a.failures + 1 ELSE 1 END,
       window_start = CASE WHEN a.window_start > now() - make_interval(secs => $3::int) THEN a.window_start ELSE now() END`,
    [scope, key, windowSeconds],
  );
}

export async function clearLoginFailures(db: Queryable, scope: LoginScope, key: string): Promise<void> {
  await db.query('DELETE FROM login_attempts WHERE scope = $1 AND key = $2', [scope, key]);
}

/** Forgets counts whose window is over (they no longer throttle anyone). */
export async function deleteStaleLoginAttempts(db: Queryable, windowSeconds: number): Promise<number> {
  return (await db.query('DELETE FROM login_attempts WHERE window_start <= now() - make_interval(secs => $1::int)', [windowSeconds])).rowCount ?? 0;
}
