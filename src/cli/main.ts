// The `telemetrics` command: parses the command line and runs one command.

import { Command } from 'commander';
import { SERVER_VERSION } from '../version.ts';
import { registerForgetCommand } from './commands/forget.ts';
import { registerImportReferenceCommand } from './commands/import-reference.ts';
import { registerMigrateCommand } from './commands/migrate.ts';
import { registerPurgeCommand } from './commands/purge.ts';
import { registerResetdbCommand } from './commands/resetdb.ts';
import { registerServeCommand } from './commands/serve.ts';
import { registerTokenCommand } from './commands/token.ts';
import { registerUserCommand } from './commands/user.ts';
import { registerVersionCommand } from './commands/version.ts';
import { exitWithError } from './fail.ts';

const program = new Command('telemetrics')
  .description('telemetrics-server: a self-hosted backend for the Clear Linux telemetrics client')
  .version(SERVER_VERSION, '-V, --version')
  .showHelpAfterError();

registerServeCommand(program);
registerMigrateCommand(program);
registerResetdbCommand(program);
registerPurgeCommand(program);
registerForgetCommand(program);
registerImportReferenceCommand(program);
registerUserCommand(program);
registerTokenCommand(program);
registerVersionCommand(program);

program.parseAsync(process.argv).catch(exitWithError);
