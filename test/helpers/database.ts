// Real PostgreSQL for tests: the embedded cluster that `npm test` starts, and also
// the server named by TEST_DATABASE_URL when set. Each test suite gets its own
// fresh database, dropped afterwards.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../src/db/migrate.ts';
import { createPool, type Pool } from '../../src/db/pool.ts';

export interface DatabaseTarget {
  name: string;
  /** URL of a maintenance database on the server, used to create and drop test databases. */
  adminUrl: string;
}

export function databaseTargets(): DatabaseTarget[] {
  const targets: DatabaseTarget[] = [];
  const embedded = process.env.TELEMETRICS_TEST_EMBEDDED_URL;
  if (!embedded) throw new Error('TELEMETRICS_TEST_EMBEDDED_URL is not set: run the tests with `npm test`');
  targets.push({ name: 'embedded', adminUrl: embedded });
  if (process.env.TEST_DATABASE_URL) targets.push({ name: 'TEST_DATABASE_URL', adminUrl: process.env.TEST_DATABASE_URL });
  return targets;
}

export interface TestDatabase {
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

/** Creates an empty database on the target (migrated unless asked not to). */
export async function createTestDatabase(target: DatabaseTarget, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await adminQuery(target, `CREATE DATABASE ${name}`);
  const url = withDatabase(target.adminUrl, name);
  const pool = createPool(url, { max: 10 });
  if (options.migrate !== false) await migrate(pool);
  let dropped = false;
  return {
    url,
    pool,
    async drop() {
      if (dropped) return;
      dropped = true;
      await pool.end();
      await adminQuery(target, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(target: DatabaseTarget, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: target.adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
