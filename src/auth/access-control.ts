// The one gate in front of every route: reads the caller's identity and enforces the
// access the route declares (roles.ts), the CSRF token on cookie-authenticated writes,
// and keeps the route table so tests can check every route, present and future.

import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { Config } from '../config/schema.ts';
import type { Queryable } from '../db/pool.ts';
import { AppError } from '../errors.ts';
import { resolveIdentity, type Identity } from './identity.ts';
import { defaultAccess, type RouteAccess } from './roles.ts';
import { safeEqual } from './secrets.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route requires (roles.ts); unset: `read` for GET/HEAD, `admin` otherwise. */
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** The caller, read by the access gate (undefined on `public` routes). */
    identity: Identity | undefined;
  }
  interface FastifyInstance {
    /** Every route with the access it requires, in registration order. */
    routeAccess(): RouteAccessEntry[];
  }
}

export interface RouteAccessEntry {
  method: string;
  url: string;
  access: RouteAccess;
}

export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AccessControlOptions {
  config: Config;
  pool: Queryable;
}

/** Registers the cookie parser, the route table and the gate on the root instance; call before any route. */
export async function registerAccessControl(app: FastifyInstance, options: AccessControlOptions): Promise<void> {
  await app.register(fastifyCookie);
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  app.decorate('routeAccess', () =>
    routes.flatMap((route) =>
      [route.method].flat().map((method) => ({ method, url: route.url, access: route.config?.access ?? defaultAccess(method) })),
    ),
  );
  app.decorateRequest('identity', undefined);
  const deps = { pool: options.pool, adminToken: options.config.auth.adminToken };
  const publicRead = options.config.auth.publicRead;

  app.addHook('onRequest', async (request) => {
    // No route matched: the not-found handler answers 404 to anyone.
    if (request.routeOptions.url === undefined) return;
    const access = request.routeOptions.config.access ?? defaultAccess(request.method);
    if (access === 'public') return;
    const identity = await resolveIdentity(request, deps);
    request.identity = identity;
    if (access === 'optional') return;
    if (identity.kind === 'invalid') throw new AppError('AUTH_REQUIRED', 'Invalid or revoked API token');
    if (identity.kind === 'anonymous') {
      if (access === 'read' && publicRead && SAFE_METHODS.has(request.method)) return;
      throw new AppError('AUTH_REQUIRED');
    }
    if (!SAFE_METHODS.has(request.method)) assertCsrf(request, identity);
    if (access === 'admin' && identity.role !== 'admin') throw new AppError('AUTH_FORBIDDEN');
  });
}

/** A state-changing request authenticated by the session cookie must carry the session's CSRF token. */
export function assertCsrf(request: FastifyRequest, identity: Identity): void {
  if (identity.kind !== 'session') return;
  const sent = request.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || !safeEqual(sent, identity.csrfToken)) throw new AppError('CSRF_INVALID');
}
