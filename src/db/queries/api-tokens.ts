// SQL of api_tokens: named Bearer tokens with a role, stored as the SHA-256 of the
// token (shown once at creation, never again). Revoking deletes the row.

import type { Queryable } from '../pool.ts';
import type { UserRole } from './users.ts';

export interface ApiTokenRow {
  id: number;
  name: string;
  role: UserRole;
  createdAt: Date;
  lastUsedAt: Date | null;
}

const TOKEN_COLUMNS = 'id::float8 AS id, name, role, created_at AS "createdAt", last_used_at AS "lastUsedAt"';

/** Inserts a token; null when the name is taken. */
export async function insertApiToken(db: Queryable, name: string, role: UserRole, tokenHash: string): Promise<ApiTokenRow | null> {
  const result = await db.query<ApiTokenRow>(
    `INSERT INTO api_tokens (name, role, token_hash) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING ${TOKEN_COLUMNS}`,
    [name, role, tokenHash],
  );
  return result.rows[0] ?? null;
}

export async function listApiTokens(db: Queryable): Promise<ApiTokenRow[]> {
  return (await db.query<ApiTokenRow>(`SELECT ${TOKEN_COLUMNS} FROM api_tokens ORDER BY name`)).rows;
}

/** The token with this hash, marking it used (at most once a minute, to spare writes). */
export async function useApiToken(db: Queryable, tokenHash: string): Promise<ApiTokenRow | null> {
  const found = await db.query<ApiTokenRow>(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1`, [tokenHash]);
  const token = found.rows[0];
  if (!token) return null;
  if (token.lastUsedAt === null || Date.now() - token.lastUsedAt.getTime() > 60_000) {
    await db.query('UPDATE api_tokens SET last_used_at = now() WHERE id = $1', [token.id]);
  }
  return token;
}

/** Deletes one token: the one named `nameOrId`, else the one with that numeric id; false when none. */
export async function deleteApiToken(db: Queryable, nameOrId: string): Promise<boolean> {
  const byId = /^\d{1,15}$/.test(nameOrId) ? nameOrId : null;
  const result = await db.query('DELETE FROM api_tokens WHERE id = COALESCE((SELECT id FROM api_tokens WHERE name = $1), $2::bigint)', [nameOrId, byId]);
  return (result.rowCount ?? 0) > 0;
}
