// SQL of the guilty table: find-or-create by the exact (function, module) pair,
// the hidden flag and the comment. Guilty rows are never deleted (reference §6.2).

import type { Queryable } from '../pool.ts';

/** A guilty row as the API shows it. */
export interface GuiltyRow {
  id: number;
  function: string;
  module: string;
  comment: string | null;
  hide: boolean;
}

/** A (function, module) pair with the id of its guilty row. */
export interface GuiltyId {
  id: number;
  function: string;
  module: string;
}

const COLUMNS = 'id, function, module, comment, hide';

// Inserts only the missing pairs (an ON CONFLICT alone would burn an identity value per
// known pair on every batch); the SELECT half returns the pairs that existed before.
const FIND_OR_CREATE = `WITH input AS (
  SELECT DISTINCT function, module FROM unnest($1::text[], $2::text[]) AS t(function, module)
),
inserted AS (
  INSERT INTO guilty (function, module)
  SELECT i.function, i.module FROM input i
  WHERE NOT EXISTS (SELECT 1 FROM guilty g WHERE g.function = i.function AND g.module = i.module)
  ON CONFLICT ON CONSTRAINT unique_guilty_constraint DO NOTHING
  RETURNING id, function, module
)
SELECT id, function, module FROM inserted
UNION ALL
SELECT g.id, g.function, g.module FROM guilty g JOIN input i ON g.function = i.function AND g.module = i.module`;

/**
 * The guilty ids of the pairs, creating rows for new ones. A pair inserted by a concurrent
 * transaction after this statement's snapshot is missing from the answer: callers ask again.
 */
export async function findOrCreateGuilties(db: Queryable, pairs: ReadonlyArray<{ function: string; module: string }>): Promise<GuiltyId[]> {
  if (pairs.length === 0) return [];
  const result = await db.query<GuiltyId>({
    name: 'find-or-create-guilties',
    text: FIND_OR_CREATE,
    values: [pairs.map((p) => p.function), pairs.map((p) => p.module)],
  });
  return result.rows;
}

export async function findGuiltyById(db: Queryable, id: number): Promise<GuiltyRow | null> {
  const result = await db.query<GuiltyRow>(`SELECT ${COLUMNS} FROM guilty WHERE id = $1`, [id]);
  return result.rows[0] ?? null;
}

/** Sets the hidden flag; null when no such guilty. */
export async function updateGuiltyHidden(db: Queryable, id: number, hide: boolean): Promise<GuiltyRow | null> {
  const result = await db.query<GuiltyRow>(`UPDATE guilty SET hide = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [id, hide]);
  return result.rows[0] ?? null;
}

/** Sets (or with null clears) the comment; null when no such guilty. */
export async function updateGuiltyComment(db: Queryable, id: number, comment: string | null): Promise<GuiltyRow | null> {
  const result = await db.query<GuiltyRow>(`UPDATE guilty SET comment = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [id, comment]);
  return result.rows[0] ?? null;
}

/** The hidden guilties (reference §8.8 "Manage hidden guilties"), by function and module. */
export async function listHiddenGuilties(db: Queryable): Promise<GuiltyRow[]> {
  const result = await db.query<GuiltyRow>(`SELECT ${COLUMNS} FROM guilty WHERE hide ORDER BY function, module, id`);
  return result.rows;
}
