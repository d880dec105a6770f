// `telemetrics token create|revoke|list`: API tokens for scripts, sent as
// `Authorization: Bearer <token>`. The token is printed once at creation; only its
// SHA-256 is stored.

import type { Command } from 'commander';
import { createApiToken, revokeApiToken } from '../../auth/accounts.ts';
import { isRole } from '../../auth/roles.ts';
import { loadConfig } from '../../config/load.ts';
import { listApiTokens } from '../../db/queries/api-tokens.ts';
import { withCommandDatabase } from '../command-database.ts';
import { addConfigOptions, configSourcesFromOptions } from '../config-options.ts';

export function registerTokenCommand(program: Command): void {
  const token = program.command('token').description('manage API tokens (Authorization: Bearer)');

  addConfigOptions(
    token
      .command('create')
      .description('create a token and print it (the only time it is shown)')
      .requiredOption('--name <name>', 'a unique name, e.g. ci')
      .option('--role <role>', 'viewer or admin', 'viewer'),
  ).action(async (options: Record<string, unknown>) => {
    const config = loadConfig(configSourcesFromOptions(options));
    const role = options.role;
    if (!isRole(role)) throw new Error(`--role must be viewer or admin, not ${String(role)}`);
    await withCommandDatabase(config, { migrate: true }, async (db) => {
      const created = await createApiToken(db.pool, String(options.name), role);
      process.stderr.write(`created ${created.token.role} token ${created.token.name} (id ${created.token.id}); it is shown only now:\n`);
      process.stdout.write(`${created.secret}\n`);
    });
  });

  addConfigOptions(token.command('revoke <name-or-id>').description('revoke a token: it stops working at once')).action(
    async (nameOrId: string, options: Record<string, unknown>) => {
      const config = loadConfig(configSourcesFromOptions(options));
      await withCommandDatabase(config, { migrate: true }, async (db) => {
        await revokeApiToken(db.pool, nameOrId);
        process.stdout.write(`revoked ${nameOrId}\n`);
      });
    },
  );

  addConfigOptions(token.command('list').description('list tokens: id, name, role, created, last used (never the token)')).action(async (options: Record<string, unknown>) => {
    const config = loadConfig(configSourcesFromOptions(options));
    await withCommandDatabase(config, { migrate: true }, async (db) => {
      const tokens = await listApiTokens(db.pool);
      const lines = tokens.map((t) => `${t.id}\t${t.name}\t${t.role}\t${t.createdAt.toISOString()}\t${t.lastUsedAt?.toISOString() ?? 'never'}`);
      process.stdout.write(`id\tname\trole\tcreated\tlast used\n${lines.join('\n')}${lines.length ? '\n' : ''}`);
    });
  });
}
