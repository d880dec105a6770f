// /api/auth: login (throttled), logout and the current session. Open to anyone
// (`optional` access); everything else under /api needs what these hand out.

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { assertCsrf } from '../../auth/access-control.ts';
import { assertLoginAllowed, noteLoginFailure, noteLoginSuccess } from '../../auth/login-throttle.ts';
import { UNKNOWN_USER_HASH, verifyPassword } from '../../auth/password.ts';
import { isValidUsername } from '../../auth/roles.ts';
import { csrfTokenFor, generateSecret, hashSecret } from '../../auth/secrets.ts';
import { clearSessionCookie, setSessionCookie } from '../../auth/session-cookie.ts';
import type { Config } from '../../config/schema.ts';
import type { Pool } from '../../db/pool.ts';
import { deleteExpiredSessions, deleteSession, insertSession } from '../../db/queries/sessions.ts';
import { findUserCredentials } from '../../db/queries/users.ts';
import { AppError } from '../../errors.ts';
import { LoginBody, LoginResponse, SessionResponse } from '../schemas/auth.ts';
import { ErrorResponse } from '../schemas/errors.ts';

export interface AuthRouteDeps {
  config: Config;
  pool: Pool;
}

export function registerAuthRoutes(parent: FastifyInstance, deps: AuthRouteDeps): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { auth } = deps.config;

  app.post('/auth/login', {
    config: { access: 'optional' },
    schema: {
      tags: ['auth'],
      summary: 'Log in: sets the session cookie and returns the CSRF token',
      body: LoginBody,
      response: { 200: LoginResponse, 400: ErrorResponse, 401: ErrorResponse, 429: ErrorResponse },
    },
    handler: async (request, reply) => {
      const { username, password } = request.body;
      const address = request.ip;
      await assertLoginAllowed(deps.pool, username, address);
      const user = isValidUsername(username) ? await findUserCredentials(deps.pool, username) : null;
      // Verify even for an unknown user, so that the answer time does not tell which names exist.
      const matches = await verifyPassword(password, user?.passwordHash ?? UNKNOWN_USER_HASH);
      if (!user || !matches) {
        await noteLoginFailure(deps.pool, username, address);
        // Neither the password nor the name is logged: people type passwords into the name field.
        request.log.info({ address, knownUser: user !== null }, 'failed login');
        throw new AppError('INVALID_CREDENTIALS');
      }
      await noteLoginSuccess(deps.pool, username);
      await deleteExpiredSessions(deps.pool);
      const sessionId = generateSecret();
      await insertSession(deps.pool, hashSecret(sessionId), user.id, auth.sessionTtlHours);
      setSessionCookie(request, reply, sessionId, auth.sessionTtlHours, auth.secureCookies);
      request.log.info({ username: user.username, role: user.role, address }, 'login');
      return { user: { username: user.username, role: user.role }, csrfToken: csrfTokenFor(sessionId) };
    },
  });

  app.post('/auth/logout', {
    config: { access: 'optional' },
    schema: {
      tags: ['auth'],
      summary: 'Log out: ends the session and clears its cookie (X-CSRF-Token required with a session)',
      response: { 204: { type: 'null', description: 'Logged out' }, 403: ErrorResponse },
    },
    handler: async (request, reply) => {
      const identity = request.identity;
      if (identity?.kind === 'session') {
        assertCsrf(request, identity);
        await deleteSession(deps.pool, identity.sessionHash);
      }
      clearSessionCookie(request, reply, auth.secureCookies);
      return reply.code(204).send(null);
    },
  });

  app.get('/auth/session', {
    config: { access: 'optional' },
    schema: {
      tags: ['auth'],
      summary: 'The caller: user and role (null when anonymous), whether public read is on, and the CSRF token',
      response: { 200: SessionResponse },
    },
    handler: async (request) => {
      const identity = request.identity;
      const user =
        identity?.kind === 'session' ? { username: identity.username, role: identity.role } : identity?.kind === 'token' ? { username: identity.name, role: identity.role } : null;
      return { user, publicRead: auth.publicRead, csrfToken: identity?.kind === 'session' ? identity.csrfToken : null };
    },
  });
}
