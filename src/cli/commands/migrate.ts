// `telemetrics migrate`: applies pending database migrations and exits.

import type { Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import { openDatabase } from '../../db/database.ts';
import { migrate } from '../../db/migrate.ts';
import { createLogger } from '../../logger.ts';
import { addConfigOptions, configSourcesFromOptions } from '../config-options.ts';

export function registerMigrateCommand(program: Command): void {
  addConfigOptions(
    program.command('migrate').description('apply pending database migrations, then exit'),
  ).action(async (options: Record<string, unknown>) => {
    const config = loadConfig(configSourcesFromOptions(options));
    const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
    const db = await openDatabase(config, logger, 2);
    try {
      const applied = await migrate(db.pool);
      process.stdout.write(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'database schema is current; nothing to apply\n');
    } finally {
      await db.close();
    }
  });
}
