// GET / and HEAD /: until the web UI is served here (#6), a short description of
// the server and where to go, so a browser pointed at it shows something useful.

import type { FastifyInstance } from 'fastify';
import { SERVER_VERSION } from './version.ts';

export function registerLandingRoute(app: FastifyInstance): void {
  app.get('/', async () => ({
    name: 'telemetrics-server',
    version: SERVER_VERSION,
    ingest: { formatA: 'POST /v2/collector (or /)', formatB: 'POST /v3/collector' },
    health: { alive: '/healthz', ready: '/readyz', metrics: '/metrics' },
  }));
}
