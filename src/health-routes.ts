// GET /healthz (the process is alive) and GET /readyz (the database answers and
// its schema is current), for load balancers, systemd and deploy scripts.

import type { FastifyInstance } from 'fastify';
import { pendingMigrations } from './db/migrate.ts';
import type { Pool } from './db/pool.ts';

const READY_CHECK_TIMEOUT_MS = 2_000;

export function registerHealthRoutes(app: FastifyInstance, pool: Pool): void {
  const startedAt = Date.now();

  app.get('/healthz', { config: { access: 'public' } }, async () => ({ status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) }));

  app.get('/readyz', { config: { access: 'public' } }, async (request, reply) => {
    let pending: string[];
    try {
      pending = await withTimeout(pendingMigrations(pool), READY_CHECK_TIMEOUT_MS);
    } catch (err) {
      request.log.warn({ err: (err as Error).message }, 'readiness check: database unreachable');
      return reply.code(503).header('Retry-After', '5').send({
        status: 'unavailable',
        code: 'DB_UNAVAILABLE',
        message: `database unreachable: ${(err as Error).message}`,
        requestId: request.id,
      });
    }
    if (pending.length > 0) {
      return reply.code(503).header('Retry-After', '5').send({
        status: 'unavailable',
        code: 'DB_UNAVAILABLE',
        message: `database schema not current: pending migrations ${pending.join(', ')}`,
        requestId: request.id,
      });
    }
    return { status: 'ready', database: 'ok', migrations: 'current' };
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}
