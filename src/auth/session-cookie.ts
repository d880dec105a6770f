// The session cookie: its name and its attributes (HttpOnly, SameSite=Strict, Path=/,
// Max-Age, and Secure per auth.secureCookies).

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SecureCookieMode } from '../config/schema.ts';

export const SESSION_COOKIE = 'telemetrics_session';

function isSecure(request: FastifyRequest, mode: SecureCookieMode): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  // request.protocol honours X-Forwarded-Proto only from trusted proxies (trustProxy).
  return request.protocol === 'https';
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, sessionId: string, ttlHours: number, mode: SecureCookieMode): void {
  void reply.setCookie(SESSION_COOKIE, sessionId, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    maxAge: ttlHours * 3600,
    secure: isSecure(request, mode),
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply, mode: SecureCookieMode): void {
  void reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', path: '/', secure: isSecure(request, mode) });
}
