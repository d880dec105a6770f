// SQL of users: the accounts of the UI and API (viewer or admin), with their scrypt
// password hashes. Never returns a hash except to the login check.

import { ADVISORY_LOCKS } from '../advisory-locks.ts';
import type { Pool } from '../pool.ts';
import type { Queryable } from '../pool.ts';
import { withTransaction } from '../transaction.ts';

export type UserRole = 'viewer' | 'admin';

export interface UserRow {
  id: number;
  username: string;
  role: UserRole;
  createdAt: Date;
}

const USER_COLUMNS = 'id::float8 AS id, username, role, created_at AS "createdAt"';

/** Inserts a user; returns null when the name is taken. */
export async function insertUser(db: Queryable, username: string, role: UserRole, passwordHash: string): Promise<UserRow | null> {
  const result = await db.query<UserRow>(
    `INSERT INTO users (username, role, password_hash) VALUES ($1, $2, $3) ON CONFLICT (username) DO NOTHING RETURNING ${USER_COLUMNS}`,
    [username, role, passwordHash],
  );
  return result.rows[0] ?? null;
}

/**
 * Inserts the first user when the table is empty, under an advisory lock so that two
 * processes starting together create one. Returns null when a user already existed.
 */
export async function insertFirstUser(pool: Pool, username: string, role: UserRole, passwordHash: string): Promise<UserRow | null> {
  return withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.firstUser]);
    const existing = await client.query('SELECT 1 FROM users LIMIT 1');
    if (existing.rowCount) return null;
    return insertUser(client, username, role, passwordHash);
  });
}

export async function listUsers(db: Queryable): Promise<UserRow[]> {
  return (await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY username`)).rows;
}

export async function findUser(db: Queryable, username: string): Promise<UserRow | null> {
  return (await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE username = $1`, [username])).rows[0] ?? null;
}

/** The user and its password hash, for the login check only. */
export async function findUserCredentials(db: Queryable, username: string): Promise<(UserRow & { passwordHash: string }) | null> {
  const result = await db.query<UserRow & { passwordHash: string }>(
    `SELECT ${USER_COLUMNS}, password_hash AS "passwordHash" FROM users WHERE username = $1`,
    [username],
  );
  return result.rows[0] ?? null;
}

/** Sets a new password hash and ends every session of the user; false when no such user. */
export async function updateUserPassword(pool: Pool, username: string, passwordHash: string): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    const updated = await client.query<{ id: string }>('UPDATE users SET password_hash = $2, updated_at = now() WHERE username = $1 RETURNING id::text AS id', [username, passwordHash]);
    const id = updated.rows[0]?.id;
    if (id === undefined) return false;
    await client.query('DELETE FROM sessions WHERE user_id = $1::bigint', [id]);
    return true;
  });
}

/** Deletes a user (its sessions go with it); false when no such user. */
export async function deleteUser(db: Queryable, username: string): Promise<boolean> {
  return ((await db.query('DELETE FROM users WHERE username = $1', [username])).rowCount ?? 0) > 0;
}

export async function countAdmins(db: Queryable): Promise<number> {
  return (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE role = 'admin'")).rows[0]?.n ?? 0;
}
