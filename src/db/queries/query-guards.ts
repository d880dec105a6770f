// Statements that protect read queries rather than read data: the per-transaction
// statement timeout and the check that a user-given regex compiles in PostgreSQL.

import type { Queryable } from '../pool.ts';

/** Cancels any later statement of the current transaction that runs longer than `ms`. */
export async function setLocalStatementTimeout(db: Queryable, ms: number): Promise<void> {
  await db.query("SELECT set_config('statement_timeout', $1, true)", [`${Math.max(1, Math.round(ms))}ms`]);
}

/** Compiles `regex` with PostgreSQL's engine; throws its error (SQLSTATE 2201B) when invalid. */
export async function checkRegularExpression(db: Queryable, regex: string): Promise<void> {
  await db.query("SELECT '' ~ $1::text AS matches", [regex]);
}
