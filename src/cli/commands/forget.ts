// `telemetrics forget --machine-id ID`: deletes every record of a machine id and what
// derives from it (deletion on request), and prints how many rows went.

import type { Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import { forgetMachine } from '../../db/queries/forget.ts';
import { withCommandDatabase } from '../command-database.ts';
import { addConfigOptions, configSourcesFromOptions } from '../config-options.ts';

export function registerForgetCommand(program: Command): void {
  addConfigOptions(
    program
      .command('forget')
      .description('delete every record of a machine id, with its crash analyses and quarantined requests')
      .requiredOption('--machine-id <id>', 'the machine id to forget'),
  ).action(async (options: Record<string, unknown>) => {
    const config = loadConfig(configSourcesFromOptions(options));
    const machineId = String(options.machineId);
    await withCommandDatabase(config, { migrate: true }, async (db, logger) => {
      const result = await forgetMachine(db.pool, machineId);
      logger.info({ machineId, ...result }, 'machine forgotten');
      process.stdout.write(
        `machine ${machineId}: deleted ${result.records} records, ${result.crashAnalyses} crash analyses, ` +
          `${result.fingerprints} fingerprints, ${result.quarantinedRequests} quarantined requests\n`,
      );
    });
  });
}
