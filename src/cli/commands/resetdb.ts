// `telemetrics resetdb`: destroys every record and table, then recreates the
// schema. Asks for confirmation unless --yes is given.

import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import { migrate } from '../../db/migrate.ts';
import { resetSchema } from '../../db/reset.ts';
import { withCommandDatabase } from '../command-database.ts';
import { addConfigOptions, configSourcesFromOptions } from '../config-options.ts';

export function registerResetdbCommand(program: Command): void {
  addConfigOptions(
    program
      .command('resetdb')
      .description('DESTROY all data: drop every table, then recreate the empty schema')
      .option('-y, --yes', 'do not ask for confirmation'),
  ).action(async (options: Record<string, unknown>) => {
    const config = loadConfig(configSourcesFromOptions(options));
    if (options.yes !== true && !(await confirm('This deletes every record in the database. Type "yes" to continue: '))) {
      process.stderr.write('telemetrics: resetdb cancelled; nothing was changed\n');
      process.exit(1);
    }
    await withCommandDatabase(config, { migrate: false, poolMax: 2 }, async (db) => {
      await resetSchema(db.pool);
      const applied = await migrate(db.pool);
      process.stdout.write(`database reset: all data deleted, ${applied.length} migration(s) applied\n`);
    });
  });
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    process.stderr.write('telemetrics: resetdb needs confirmation; pass --yes when not running in a terminal\n');
    return false;
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim().toLowerCase() === 'yes';
  } finally {
    rl.close();
  }
}
