// Applies the forward-only SQL migrations in db/migrations, each in its own
// transaction, under a PostgreSQL advisory lock so that two processes starting at
// once apply each migration exactly once.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pool, Queryable } from './pool.ts';
import type { QueryConfig } from 'pg';
import { ADVISORY_LOCKS } from './advisory-locks.ts';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const MIGRATION_LOCK_KEY = ADVISORY_LOCKS.migrations;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number.parseInt(file.slice(0, 4), 10),
      name: file.replace(/\.sql$/, ''),
      sql: readFileSync(join(dir, file), 'utf8'),
    }));
}

const CREATE_HISTORY = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer     PRIMARY KEY,
  name       text        NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/**
 * A migration's backfill can run for minutes on a large database (0063: over a minute at
 * 10 M records), past the pool's query timeout: setTimeout's largest delay stands for
 * none (pg reads 0 as "the pool's").
 */
const NO_QUERY_TIMEOUT_MS = 2_147_483_647;

/** Applies every pending migration; returns the names applied. */
export async function migrate(pool: Pool): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(CREATE_HISTORY);
      const applied = await appliedVersions(client);
      const done: string[] = [];
      for (const migration of listMigrations()) {
        if (applied.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          // pg reads query_timeout from a query's config too; its types do not list it.
          const statement: QueryConfig & { query_timeout: number } = { text: migration.sql, query_timeout: NO_QUERY_TIMEOUT_MS };
          await client.query(statement);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${migration.name} failed: ${(err as Error).message}`, { cause: err });
        }
        done.push(migration.name);
      }
      return done;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

/** Names of the migrations not yet applied (all of them on an empty database). */
export async function pendingMigrations(db: Queryable): Promise<string[]> {
  const exists = await db.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  const applied = exists.rows[0]?.present ? await appliedVersions(db) : new Set<number>();
  return listMigrations()
    .filter((m) => !applied.has(m.version))
    .map((m) => m.name);
}

async function appliedVersions(db: Queryable): Promise<Set<number>> {
  const result = await db.query<{ version: number }>('SELECT version FROM schema_migrations');
  return new Set(result.rows.map((r) => r.version));
}
