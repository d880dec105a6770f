// Security headers on every response: one Content-Security-Policy for the UI, the API
// and /docs (no inline script; framing refused), nosniff, and a strict Referrer-Policy.

import type { FastifyInstance } from 'fastify';

/** The UI loads only its own files and talks only to this origin; markup in records is rendered as text, and this is a second line of defence. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    void reply.headers(SECURITY_HEADERS);
    // HSTS only where the browser reached us over https (directly or via a trusted proxy).
    if (request.protocol === 'https') void reply.header('Strict-Transport-Security', 'max-age=31536000');
  });
}
