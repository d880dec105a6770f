// `telemetrics version`: prints the server version.

import type { Command } from 'commander';
import { SERVER_VERSION } from '../../version.ts';

export function registerVersionCommand(program: Command): void {
  program
    .command('version')
    .description('print the version and exit')
    .action(() => {
      process.stdout.write(`telemetrics-server ${SERVER_VERSION}\n`);
    });
}
