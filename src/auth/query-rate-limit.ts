// The query API's rate limit (@fastify/rate-limit): auth.queryRateLimit requests per
// minute per user, token or anonymous address; past it, 429 RATE_LIMITED with Retry-After.
// Counted per process (in memory): with several processes each allows the limit.

import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';
import { rateLimitKey } from './identity.ts';

/** Registers the limit on every route added after it in `app`'s context; nothing when perMinute is 0. */
export async function registerQueryRateLimit(app: FastifyInstance, perMinute: number): Promise<void> {
  if (perMinute === 0) return;
  await app.register(rateLimit, {
    max: perMinute,
    timeWindow: 60_000,
    // After the access gate (onRequest), so that the key is the authenticated caller.
    hook: 'preHandler',
    keyGenerator: (request) => rateLimitKey(request.identity, request.ip),
    errorResponseBuilder: (_request, context) =>
      new AppError('RATE_LIMITED', `Rate limit of ${context.max} API requests per minute exceeded; retry in ${context.after}`, {
        headers: { 'Retry-After': String(Math.max(1, Math.ceil(context.ttl / 1000))) },
      }),
  });
}
