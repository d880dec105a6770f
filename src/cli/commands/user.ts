// `telemetrics user add|remove|passwd|list`: the accounts of the UI and API. A password
// comes from standard input (--password-stdin) or is generated and printed once; it is
// never taken as an argument (it would show in `ps` and shell history) and never logged.

import type { Command } from 'commander';
import { changePassword, createUser, removeUser } from '../../auth/accounts.ts';
import { generatePassword } from '../../auth/password.ts';
import { isRole } from '../../auth/roles.ts';
import { loadConfig } from '../../config/load.ts';
import { listUsers } from '../../db/queries/users.ts';
import { withCommandDatabase } from '../command-database.ts';
import { addConfigOptions, configSourcesFromOptions } from '../config-options.ts';
import { readPasswordFromStdin } from '../read-stdin.ts';

export function registerUserCommand(program: Command): void {
  const user = program.command('user').description('manage the accounts of the web UI and API (roles viewer, admin)');

  addConfigOptions(
    user
      .command('add <username>')
      .description('add a user; prints a generated password unless --password-stdin')
      .option('--role <role>', 'viewer (reads) or admin (also changes data, manages users and tokens)', 'viewer')
      .option('--password-stdin', 'read the password from standard input'),
  ).action(async (username: string, options: Record<string, unknown>) => {
    const config = loadConfig(configSourcesFromOptions(options));
    const role = options.role;
    if (!isRole(role)) throw new Error(`--role must be viewer or admin, not ${String(role)}`);
    const { password, generated } = await choosePassword(options.passwordStdin === true);
    await withCommandDatabase(config, { migrate: true }, async (db) => {
      const created = await createUser(db.pool, username, role, password);
      process.stdout.write(`added ${created.role} ${created.username}\n`);
      if (generated) process.stdout.write(`password: ${password}\n`);
    });
  });

  addConfigOptions(
    user
      .command('passwd <username>')
      .description('set a new password (ends the user\'s sessions); prints a generated one unless --password-stdin')
      .option('--password-stdin', 'read the password from standard input'),
  ).action(async (username: string, options: Record<string, unknown>) => {
    const config = loadConfig(configSourcesFromOptions(options));
    const { password, generated } = await choosePassword(options.passwordStdin === true);
    await withCommandDatabase(config, { migrate: true }, async (db) => {
      await changePassword(db.pool, username, password);
      process.stdout.write(`password of ${username} changed; its sessions ended\n`);
      if (generated) process.stdout.write(`password: ${password}\n`);
    });
  });

  addConfigOptions(user.command('remove <username>').description('remove a user and end its sessions (never the last admin)')).action(
    async (username: string, options: Record<string, unknown>) => {
      const config = loadConfig(configSourcesFromOptions(options));
      await withCommandDatabase(config, { migrate: true }, async (db) => {
        await removeUser(db.pool, username);
        process.stdout.write(`removed ${username}\n`);
      });
    },
  );

  addConfigOptions(user.command('list').description('list users: name, role, created')).action(async (options: Record<string, unknown>) => {
    const config = loadConfig(configSourcesFromOptions(options));
    await withCommandDatabase(config, { migrate: true }, async (db) => {
      const users = await listUsers(db.pool);
      const lines = users.map((u) => `${u.username}\t${u.role}\t${u.createdAt.toISOString()}`);
      process.stdout.write(`username\trole\tcreated\n${lines.join('\n')}${lines.length ? '\n' : ''}`);
    });
  });
}

async function choosePassword(fromStdin: boolean): Promise<{ password: string; generated: boolean }> {
  if (fromStdin) return { password: await readPasswordFromStdin(), generated: false };
  return { password: generatePassword(), generated: true };
}
