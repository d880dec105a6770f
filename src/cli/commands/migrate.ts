// `telemetrics migrate`: applies pending database migrations and exits.

import type { Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import { migrate } from '../../db/migrate.ts';
import { withCommandDatabase } from '../command-database.ts';
import { addConfigOptions, configSourcesFromOptions } from '../config-options.ts';

export function registerMigrateCommand(program: Command): void {
  addConfigOptions(
    program.command('migrate').description('apply pending database migrations, then exit'),
  ).action(async (options: Record<string, unknown>) => {
    const config = loadConfig(configSourcesFromOptions(options));
    await withCommandDatabase(config, { migrate: false, poolMax: 2 }, async (db) => {
      const applied = await migrate(db.pool);
      process.stdout.write(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'database schema is current; nothing to apply\n');
    });
  });
}
