// Who is calling: reads the Bearer token (the configured admin token or a stored API
// token) or the session cookie, and returns the caller's identity. Never throws on bad
// input: a malformed or unknown credential is `invalid`, an absent one `anonymous`.

import type { FastifyRequest } from 'fastify';
import { useApiToken } from '../db/queries/api-tokens.ts';
import type { Queryable } from '../db/pool.ts';
import { findSessionUser } from '../db/queries/sessions.ts';
import type { Role } from './roles.ts';
import { csrfTokenFor, hashSecret, safeEqual } from './secrets.ts';
import { SESSION_COOKIE } from './session-cookie.ts';

export type Identity =
  | { kind: 'session'; username: string; role: Role; sessionHash: string; csrfToken: string }
  | { kind: 'token'; name: string; role: Role }
  | { kind: 'anonymous' }
  /** A Bearer credential was sent but is malformed, unknown or revoked. */
  | { kind: 'invalid' };

export interface IdentityDeps {
  pool: Queryable;
  adminToken: string | null;
}

/** Longest credential we look at; longer ones are invalid without any work. */
const MAX_CREDENTIAL_LENGTH = 512;
const ADMIN_TOKEN_NAME = 'TELEMETRICS_ADMIN_TOKEN';

export async function resolveIdentity(request: FastifyRequest, deps: IdentityDeps): Promise<Identity> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) return resolveBearer(authorization, deps);
  const sessionId = request.cookies[SESSION_COOKIE];
  if (sessionId === undefined || sessionId === '') return { kind: 'anonymous' };
  if (sessionId.length > MAX_CREDENTIAL_LENGTH) return { kind: 'anonymous' };
  const sessionHash = hashSecret(sessionId);
  const user = await findSessionUser(deps.pool, sessionHash);
  // An expired or logged-out session is no credential at all: the caller is anonymous again.
  if (!user) return { kind: 'anonymous' };
  return { kind: 'session', username: user.username, role: user.role, sessionHash, csrfToken: csrfTokenFor(sessionId) };
}

async function resolveBearer(header: string, deps: IdentityDeps): Promise<Identity> {
  const match = /^Bearer +([\x21-\x7e]{1,512})\s*$/i.exec(header);
  const token = match?.[1];
  if (token === undefined) return { kind: 'invalid' };
  if (deps.adminToken !== null && safeEqual(token, deps.adminToken)) return { kind: 'token', name: ADMIN_TOKEN_NAME, role: 'admin' };
  const stored = await useApiToken(deps.pool, hashSecret(token));
  return stored ? { kind: 'token', name: stored.name, role: stored.role } : { kind: 'invalid' };
}

/** The key the query rate limit counts by: the user, the token, or the client address. */
export function rateLimitKey(identity: Identity | undefined, ip: string): string {
  if (identity?.kind === 'session') return `user:${identity.username}`;
  if (identity?.kind === 'token') return `token:${identity.name}`;
  return `address:${ip}`;
}
