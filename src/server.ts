// buildServer(config, deps): the whole HTTP application, ready but not listening.
// The CLI listens; tests inject or listen on port 0.

import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/schema.ts';
import type { Pool } from './db/pool.ts';
import { registerErrorHandlers } from './error-handler.ts';
import { registerHealthRoutes } from './health-routes.ts';

export interface ServerDeps {
  pool: Pool;
  logger: Logger;
}

export async function buildServer(config: Config, deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Per-request lines would dominate ingest cost; metrics count requests instead.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: config.ingest.bodyLimit,
    routerOptions: { maxParamLength: 500 },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('X-Request-Id', request.id);
  });
  registerErrorHandlers(app);
  registerHealthRoutes(app, deps.pool);
  await app.ready();
  return app;
}
