// `telemetrics serve`: opens the database (starting the embedded one when no URL
// is configured), applies migrations, creates the first admin when no user exists,
// listens, and on SIGTERM/SIGINT stops accepting, finishes what is in flight, stops
// the database and exits 0.

import type { Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { openDatabase } from '../../db/database.ts';
import { migrate } from '../../db/migrate.ts';
import { ensureInitialAdmin } from '../../auth/initial-admin.ts';
import { describeTarget } from '../../db/pool.ts';
import { createLogger } from '../../logger.ts';
import { buildServer } from '../../server.ts';
import { SERVER_VERSION } from '../../version.ts';
import { addConfigOptions, configSourcesFromOptions } from '../config-options.ts';

export function registerServeCommand(program: Command): void {
  addConfigOptions(
    program.command('serve', { isDefault: true }).description('run the server (ingest, API and UI); the default command'),
  ).action(async (options: Record<string, unknown>) => {
    await serve(loadConfig(configSourcesFromOptions(options)));
  });
}

export async function serve(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  const db = await openDatabase(config, logger, { poolMax: 20 });
  let app;
  try {
    const applied = await migrate(db.pool);
    if (applied.length) logger.info({ applied }, 'database migrations applied');
    await ensureInitialAdmin(db.pool, config, logger);
    app = await buildServer(config, { pool: db.pool, logger });
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ version: SERVER_VERSION, host: config.host, port, database: describeTarget(db.target) }, 'telemetrics-server ready');

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new requests; finishing those in flight');
    const forceExit = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    forceExit.unref();
    app
      .close()
      .then(() => db.close())
      .then(() => {
        logger.info('shutdown complete');
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

