// /api/auth/users and /api/auth/tokens: user and API token management for admins
// (the `telemetrics user|token` commands over HTTP).

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { changePassword, createApiToken, createUser, removeUser, revokeApiToken } from '../../auth/accounts.ts';
import type { Pool } from '../../db/pool.ts';
import { listApiTokens } from '../../db/queries/api-tokens.ts';
import { listUsers } from '../../db/queries/users.ts';
import { CreatedTokenResponse, TokenBody, TokenParams, TokensResponse, UserBody, UserParams, UserResponse, UsersResponse } from '../schemas/auth.ts';
import { ErrorResponse } from '../schemas/errors.ts';
import { Type } from 'typebox';

const ADMIN_ERRORS = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const NO_CONTENT = { type: 'null', description: 'Done' } as const;
const PasswordBody = Type.Object({ password: Type.String({ maxLength: 1024 }) });

export function registerAuthAdminRoutes(parent: FastifyInstance, pool: Pool): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const admin = { access: 'admin' } as const;

  app.get('/auth/users', {
    config: admin,
    schema: { tags: ['auth'], summary: 'List users (admin)', response: { 200: UsersResponse, ...ADMIN_ERRORS } },
    handler: async () => ({ users: (await listUsers(pool)).map((u) => ({ username: u.username, role: u.role, createdAt: u.createdAt.toISOString() })) }),
  });

  app.post('/auth/users', {
    config: admin,
    schema: { tags: ['auth'], summary: 'Add a user (admin)', body: UserBody, response: { 201: UserResponse, ...ADMIN_ERRORS } },
    handler: async (request, reply) => {
      const user = await createUser(pool, request.body.username, request.body.role, request.body.password);
      request.log.info({ username: user.username, role: user.role, by: describeCaller(request.identity) }, 'user added');
      return reply.code(201).send({ username: user.username, role: user.role, createdAt: user.createdAt.toISOString() });
    },
  });

  app.put('/auth/users/:username/password', {
    config: admin,
    schema: { tags: ['auth'], summary: 'Set a user\'s password and end its sessions (admin)', params: UserParams, body: PasswordBody, response: { 204: NO_CONTENT, ...ADMIN_ERRORS } },
    handler: async (request, reply) => {
      await changePassword(pool, request.params.username, request.body.password);
      request.log.info({ username: request.params.username, by: describeCaller(request.identity) }, 'password changed');
      return reply.code(204).send(null);
    },
  });

  app.delete('/auth/users/:username', {
    config: admin,
    schema: { tags: ['auth'], summary: 'Remove a user and end its sessions (admin; never the last admin)', params: UserParams, response: { 204: NO_CONTENT, ...ADMIN_ERRORS } },
    handler: async (request, reply) => {
      await removeUser(pool, request.params.username);
      request.log.info({ username: request.params.username, by: describeCaller(request.identity) }, 'user removed');
      return reply.code(204).send(null);
    },
  });

  app.get('/auth/tokens', {
    config: admin,
    schema: { tags: ['auth'], summary: 'List API tokens, without their secrets (admin)', response: { 200: TokensResponse, ...ADMIN_ERRORS } },
    handler: async () => ({ tokens: (await listApiTokens(pool)).map(showToken) }),
  });

  app.post('/auth/tokens', {
    config: admin,
    schema: { tags: ['auth'], summary: 'Create an API token; its secret is in this answer only (admin)', body: TokenBody, response: { 201: CreatedTokenResponse, ...ADMIN_ERRORS } },
    handler: async (request, reply) => {
      const { token, secret } = await createApiToken(pool, request.body.name, request.body.role);
      request.log.info({ token: token.name, role: token.role, by: describeCaller(request.identity) }, 'API token created');
      return reply.code(201).send({ token: showToken(token), secret });
    },
  });

  app.delete('/auth/tokens/:name', {
    config: admin,
    schema: { tags: ['auth'], summary: 'Revoke an API token by name or id (admin)', params: TokenParams, response: { 204: NO_CONTENT, ...ADMIN_ERRORS } },
    handler: async (request, reply) => {
      await revokeApiToken(pool, request.params.name);
      request.log.info({ token: request.params.name, by: describeCaller(request.identity) }, 'API token revoked');
      return reply.code(204).send(null);
    },
  });
}

function showToken(t: { id: number; name: string; role: 'viewer' | 'admin'; createdAt: Date; lastUsedAt: Date | null }) {
  return { id: t.id, name: t.name, role: t.role, createdAt: t.createdAt.toISOString(), lastUsedAt: t.lastUsedAt?.toISOString() ?? null };
}

function describeCaller(identity: { kind: string; username?: string; name?: string } | undefined): string {
  if (identity?.kind === 'session') return `user:${identity.username ?? ''}`;
  if (identity?.kind === 'token') return `token:${identity.name ?? ''}`;
  return 'unknown';
}
