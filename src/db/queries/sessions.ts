// SQL of sessions: one row per logged-in browser, keyed by the SHA-256 of the session
// id (the cookie value itself is never stored), expiring at expires_at.

import type { Queryable } from '../pool.ts';
import type { UserRole } from './users.ts';

export interface SessionUser {
  userId: number;
  username: string;
  role: UserRole;
  expiresAt: Date;
}

export async function insertSession(db: Queryable, idHash: string, userId: number, ttlHours: number): Promise<Date> {
  const result = await db.query<{ expiresAt: Date }>(
    `INSERT INTO sessions (id_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(hours => $3::int)) RETURNING expires_at AS "expiresAt"`,
    [idHash, userId, ttlHours],
  );
  return result.rows[0]?.expiresAt ?? new Date();
}

/** The user of an unexpired session, or null. */
export async function findSessionUser(db: Queryable, idHash: string): Promise<SessionUser | null> {
  const result = await db.query<SessionUser>(
    `SELECT u.id::float8 AS "userId", u.username, u.role, s.expires_at AS "expiresAt"
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id_hash = $1 AND s.expires_at > now()`,
    [idHash],
  );
  return result.rows[0] ?? null;
}

export async function deleteSession(db: Queryable, idHash: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
}

export async function deleteExpiredSessions(db: Queryable): Promise<number> {
  return (await db.query('DELETE FROM sessions WHERE expires_at <= now()')).rowCount ?? 0;
}
