// Opens the database the configuration names: an external PostgreSQL from
// DATABASE_URL, or the embedded one under the data folder. Checks the server
// version and reports connection problems as one clear line.

import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded.ts';
import { createPool, describeTarget, type ConnectionTarget, type Pool } from './pool.ts';

const MIN_SERVER_VERSION = 130000;

export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

export interface Database {
  pool: Pool;
  target: ConnectionTarget;
  embedded: EmbeddedDatabase | null;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  poolMax?: number;
  /** One-shot commands use the embedded database of a running server instead of refusing. */
  shareEmbedded?: boolean;
}

export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>, logger: Logger, options: OpenDatabaseOptions = {}): Promise<Database> {
  const poolMax = options.poolMax ?? 10;
  const embedded = config.databaseUrl ? null : await startEmbeddedDatabase({ dataDir: config.dataDir, logger, shareWithOwner: options.shareEmbedded ?? false });
  const target: ConnectionTarget = config.databaseUrl ?? (embedded as EmbeddedDatabase).connection;
  const pool = createPool(target, { max: poolMax, onError: (err) => logger.warn({ err: err.message }, 'database connection lost') });
  try {
    await checkServerVersion(pool, target);
  } catch (err) {
    await pool.end().catch(() => {});
    await embedded?.stop().catch(() => {});
    throw err;
  }
  return {
    pool,
    target,
    embedded,
    async close() {
      await pool.end().catch((err: Error) => logger.warn({ err: err.message }, 'closing the pool failed'));
      await embedded?.stop();
    },
  };
}

async function checkServerVersion(pool: Pool, target: ConnectionTarget): Promise<void> {
  let version: number;
  try {
    const result = await pool.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v");
    version = result.rows[0]?.v ?? 0;
  } catch (err) {
    throw new DatabaseUnavailableError(`cannot connect to the database at ${describeTarget(target)}: ${(err as Error).message || (err as NodeJS.ErrnoException).code}`);
  }
  if (version < MIN_SERVER_VERSION) {
    throw new DatabaseUnavailableError(`PostgreSQL ${Math.floor(version / 10000)} at ${describeTarget(target)} is too old: version 13 or newer is required`);
  }
}
