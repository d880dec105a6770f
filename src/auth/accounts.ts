// Managing users and API tokens, shared by the `telemetrics user|token` commands and
// the admin API: the checks (names, roles, password length, last admin) in one place.

import type { Pool } from '../db/pool.ts';
import { deleteApiToken, insertApiToken, type ApiTokenRow } from '../db/queries/api-tokens.ts';
import { countAdmins, deleteUser, findUser, insertUser, updateUserPassword, type UserRow } from '../db/queries/users.ts';
import { AppError } from '../errors.ts';
import { checkPasswordStrength, hashPassword } from './password.ts';
import { isValidUsername, type Role } from './roles.ts';
import { generateSecret, hashSecret } from './secrets.ts';

const NAME_RULE = '1 to 64 letters, digits, ".", "_", "-" or "@"';

function assertName(value: string, field: string): void {
  if (!isValidUsername(value)) throw new AppError('BODY_INVALID', `${field} must be ${NAME_RULE}`, { details: [{ field, message: NAME_RULE }] });
}

function assertPassword(password: string): void {
  const problem = checkPasswordStrength(password);
  if (problem) throw new AppError('BODY_INVALID', problem, { details: [{ field: 'password', message: problem }] });
}

export async function createUser(pool: Pool, username: string, role: Role, password: string): Promise<UserRow> {
  assertName(username, 'username');
  assertPassword(password);
  const user = await insertUser(pool, username, role, await hashPassword(password));
  if (!user) throw new AppError('CONFLICT', `User ${username} already exists`);
  return user;
}

/** Sets a new password and ends the user's sessions. */
export async function changePassword(pool: Pool, username: string, password: string): Promise<void> {
  assertPassword(password);
  if (!isValidUsername(username) || !(await updateUserPassword(pool, username, await hashPassword(password)))) {
    throw new AppError('NOT_FOUND', `No user ${username}`);
  }
}

/** Removes a user, never the last admin (nobody could manage the server any more). */
export async function removeUser(pool: Pool, username: string): Promise<void> {
  const user = isValidUsername(username) ? await findUser(pool, username) : null;
  if (!user) throw new AppError('NOT_FOUND', `No user ${username}`);
  if (user.role === 'admin' && (await countAdmins(pool)) <= 1) throw new AppError('CONFLICT', `${username} is the last admin; add another admin first`);
  await deleteUser(pool, username);
}

/** Creates a token; the secret is returned only here, the database keeps its hash. */
export async function createApiToken(pool: Pool, name: string, role: Role): Promise<{ token: ApiTokenRow; secret: string }> {
  assertName(name, 'name');
  const secret = generateSecret();
  const token = await insertApiToken(pool, name, role, hashSecret(secret));
  if (!token) throw new AppError('CONFLICT', `A token named ${name} already exists`);
  return { token, secret };
}

export async function revokeApiToken(pool: Pool, nameOrId: string): Promise<void> {
  if (nameOrId.length > 64 || nameOrId.includes('\u0000') || !(await deleteApiToken(pool, nameOrId))) {
    throw new AppError('NOT_FOUND', `No token ${nameOrId}`);
  }
}
