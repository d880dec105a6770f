// GET /metrics (Prometheus text format) and the request latency histogram by
// route, method and status, observed for every answered request.

import type { FastifyInstance } from 'fastify';
import type { RouteAccess } from './auth/roles.ts';
import { collectDefaultMetrics, Histogram, type Registry } from 'prom-client';

/** `access`: public for Prometheus scrapers (auth.metricsPublic), or read. */
export function registerHttpMetrics(app: FastifyInstance, registry: Registry, access: RouteAccess): void {
  collectDefaultMetrics({ register: registry, prefix: 'telemetrics_' });
  const latency = new Histogram({
    name: 'telemetrics_http_request_duration_seconds',
    help: 'Time from request start to response, by route, method and status',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    latency.observe(
      { route: request.routeOptions.url ?? 'unmatched', method: request.method, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/metrics', { config: { access } }, async (_request, reply) => {
    return reply.header('Content-Type', registry.contentType).send(await registry.metrics());
  });
}
