// Drops every object of the application's schema (public): what `resetdb` destroys.

import type { Queryable } from './pool.ts';

export async function resetSchema(db: Queryable): Promise<void> {
  await db.query('DROP SCHEMA public CASCADE');
  await db.query('CREATE SCHEMA public');
}
