// First start: when no user exists, creates `admin` with auth.initialAdminPassword or a
// generated password, which is logged once (the only password that ever reaches a log).

import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { Pool } from '../db/pool.ts';
import { insertFirstUser } from '../db/queries/users.ts';
import { generatePassword, hashPassword } from './password.ts';

export const INITIAL_ADMIN_USERNAME = 'admin';

/** Returns true when it created the admin. Safe when several processes start at once. */
export async function ensureInitialAdmin(pool: Pool, config: Config, logger: Logger): Promise<boolean> {
  const given = config.auth.initialAdminPassword;
  const password = given ?? generatePassword();
  const created = await insertFirstUser(pool, INITIAL_ADMIN_USERNAME, 'admin', await hashPassword(password));
  if (!created) return false;
  if (given !== null) {
    logger.warn({ username: INITIAL_ADMIN_USERNAME }, 'no user existed: created the admin account with the password from TELEMETRICS_ADMIN_PASSWORD');
  } else {
    // Deliberately logged once: the operator's only way to learn it. Change it with `telemetrics user passwd admin`.
    logger.warn(
      { username: INITIAL_ADMIN_USERNAME, generatedPassword: password },
      'no user existed: created the admin account with this generated password; it is shown only now (change it with `telemetrics user passwd admin`)',
    );
  }
  return true;
}
