// SQL of the guilty_blacklisted table: the (function, module) pairs the guilty
// finder passes over. Entries are addressed by id (reference §15 defect 14).

import type { Queryable } from '../pool.ts';

export interface BlacklistRow {
  id: number;
  function: string;
  module: string;
}

const COLUMNS = 'id, function, module';

/** Every entry, by function and module. */
export async function listBlacklistEntries(db: Queryable): Promise<BlacklistRow[]> {
  const result = await db.query<BlacklistRow>({
    name: 'list-blacklist-entries',
    text: `SELECT ${COLUMNS} FROM guilty_blacklisted ORDER BY function, module, id`,
  });
  return result.rows;
}

export async function findBlacklistEntryById(db: Queryable, id: number): Promise<BlacklistRow | null> {
  const result = await db.query<BlacklistRow>(`SELECT ${COLUMNS} FROM guilty_blacklisted WHERE id = $1`, [id]);
  return result.rows[0] ?? null;
}

/**
 * Adds the pair unless present; `created` tells which. No row when a concurrent
 * transaction added the same pair after this statement's snapshot: ask again.
 */
export async function insertBlacklistEntry(db: Queryable, functionName: string, moduleName: string): Promise<(BlacklistRow & { created: boolean }) | null> {
  const result = await db.query<BlacklistRow & { created: boolean }>(
    `WITH inserted AS (
       INSERT INTO guilty_blacklisted (function, module) VALUES ($1, $2)
       ON CONFLICT ON CONSTRAINT guilty_blacklisted_unique DO NOTHING
       RETURNING ${COLUMNS}
     )
     SELECT ${COLUMNS}, true AS created FROM inserted
     UNION ALL
     SELECT ${COLUMNS}, false AS created FROM guilty_blacklisted WHERE function = $1 AND module = $2`,
    [functionName, moduleName],
  );
  return result.rows[0] ?? null;
}

/** Deletes one entry; null when no such entry. */
export async function deleteBlacklistEntry(db: Queryable, id: number): Promise<BlacklistRow | null> {
  const result = await db.query<BlacklistRow>(`DELETE FROM guilty_blacklisted WHERE id = $1 RETURNING ${COLUMNS}`, [id]);
  return result.rows[0] ?? null;
}
