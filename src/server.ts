// buildServer(config, deps): the whole HTTP application, ready but not listening.
// The CLI listens; tests inject or listen on port 0.

import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { Config } from './config/schema.ts';
import type { Pool } from './db/pool.ts';
import { registerErrorHandlers } from './error-handler.ts';
import { registerHealthRoutes } from './health-routes.ts';
import { HTTP_SERVER_OPTIONS, registerHttpEdgeAnswers } from './http-edge-answers.ts';
import { registerHttpMetrics } from './http-metrics.ts';
import { BatchWriter } from './ingest/batch-writer.ts';
import { createIngestMetrics } from './ingest/metrics.ts';
import { ingestPlugin } from './ingest/plugin.ts';
import { startMaintenanceJob } from './processing/maintenance-job.ts';
import { startRetentionJob } from './processing/retention-job.ts';
import { CrashProcessor } from './processing/crash-job.ts';
import { startRollupFoldJob } from './processing/rollup-fold-job.ts';
import { createCrashMetrics } from './processing/crash-metrics.ts';
import { answerClientError } from './client-error.ts';
import { apiPlugin } from './api/plugin.ts';
import { registerUiRoutes } from './ui-static.ts';
import { registerAccessControl } from './auth/access-control.ts';
import { registerSecurityHeaders } from './auth/security-headers.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The background crash processor: `options` for applyToRecord, `wake()` after a blacklist change or reset. */
    crash: CrashProcessor;
  }
}

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
    clientErrorHandler: answerClientError,
    trustProxy: config.trustProxy.length > 0 ? [...config.trustProxy] : false,
    http: HTTP_SERVER_OPTIONS,
  });
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('X-Request-Id', request.id);
  });
  registerErrorHandlers(app);
  registerHttpEdgeAnswers(app);
  registerSecurityHeaders(app);
  // Before any route: the gate reads each route's `config.access` (fail closed when unset).
  await registerAccessControl(app, { config, pool: deps.pool });

  const registry = new Registry();
  registerHttpMetrics(app, registry, config.auth.metricsPublic ? 'public' : 'read');
  registerHealthRoutes(app, deps.pool);

  const crash = new CrashProcessor({ pool: deps.pool, logger: deps.logger, metrics: createCrashMetrics(registry), ...config.crash });
  app.decorate('crash', crash);

  const ingestMetrics = createIngestMetrics(registry);
  const writer = new BatchWriter({
    pool: deps.pool,
    logger: deps.logger,
    metrics: ingestMetrics,
    maxQueueRecords: config.ingest.queueMaxRecords,
    maxQueueBytes: config.ingest.queueMaxBytes,
    duplicateWindowHours: config.ingest.duplicateWindowHours,
    onStored: (records) => crash.notifyStored(records),
  });
  await app.register(ingestPlugin, { config, pool: deps.pool, writer, metrics: ingestMetrics });
  await app.register(apiPlugin, { config, pool: deps.pool });
  await registerUiRoutes(app);

  const maintenance = startMaintenanceJob(deps.pool, deps.logger, config.ingest.duplicateWindowHours);
  const rollupFold = startRollupFoldJob(deps.pool, deps.logger);
  const retention = startRetentionJob({ pool: deps.pool, logger: deps.logger, retention: config.retention });
  // After in-flight requests finished (fastify waits for them), commit what is still queued.
  app.addHook('onClose', async () => {
    await writer.drain();
    await maintenance.stop();
    await retention.stop();
    await rollupFold.stop();
    await crash.stop();
  });
  await app.ready();
  crash.start();
  return app;
}
