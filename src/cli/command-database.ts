// How one-shot commands (migrate, resetdb, purge, forget, import-reference) use the
// database: open it (starting the embedded one if configured), optionally apply the
// migrations, run the work, and always close it again.

import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { createLogger } from '../logger.ts';

/** A quieter logger for commands: their result goes to stdout; info logs only when asked for. */
function createCommandLogger(config: Config): Logger {
  return createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
}

export async function withCommandDatabase<T>(
  config: Config,
  options: { logger?: Logger; migrate: boolean; poolMax?: number },
  work: (db: Database, logger: Logger) => Promise<T>,
): Promise<T> {
  const logger = options.logger ?? createCommandLogger(config);
  const db = await openDatabase(config, logger, { poolMax: options.poolMax ?? 3, shareEmbedded: true });
  try {
    if (options.migrate) await migrate(db.pool);
    return await work(db, logger);
  } finally {
    await db.close();
  }
}
