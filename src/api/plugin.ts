// The API plugin: JSON routes under /api (auth, records, stats, export, crashes), the OpenAPI
// document and /docs. Who may call what is decided by src/auth/access-control.ts. Encapsulated: its validator and hooks do not reach the collector routes.

import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { defaultAccess } from '../auth/roles.ts';
import { ErrorResponse } from './schemas/errors.ts';
import type { Config } from '../config/schema.ts';
import type { Pool } from '../db/pool.ts';
import { registerOpenApi } from './openapi.ts';
import { createQueryLimit } from './query-limit.ts';
import type { QueryContext } from './query-runner.ts';
import { registerQueryRateLimit } from '../auth/query-rate-limit.ts';
import { registerAdminRoutes } from './routes/admin.ts';
import { registerAuthAdminRoutes } from './routes/auth-admin.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerCrashAdminRoutes } from './routes/crash-admin.ts';
import { registerCrashReadRoutes } from './routes/crash-reads.ts';
import { registerExportRoutes } from './routes/export.ts';
import { registerRecordRoutes } from './routes/records.ts';
import { registerStatsRoutes } from './routes/stats.ts';

export interface ApiPluginOptions {
  config: Config;
  pool: Pool;
}

export async function apiPlugin(app: FastifyInstance, options: ApiPluginOptions): Promise<void> {
  const context: QueryContext = {
    pool: options.pool,
    statementTimeoutMs: options.config.api.statementTimeoutMs,
    // Two connections stay free for ingest and the background jobs whatever the API does.
    limit: createQueryLimit(options.pool.options.max ?? 10, options.config.api.maxConcurrentQueries),
  };
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  app.addHook('onRoute', documentAccessErrors);
  app.addHook('preValidation', keepFirstQueryValues);
  await registerOpenApi(app);
  await app.register(
    async (api) => {
      registerAuthRoutes(api, { config: options.config, pool: options.pool });
      registerAuthAdminRoutes(api, options.pool);
    },
    { prefix: '/api' },
  );
  await app.register(
    async (api) => {
      await registerQueryRateLimit(api, options.config.auth.queryRateLimit);
      registerRecordRoutes(api, context);
      registerStatsRoutes(api, context);
      registerExportRoutes(api, context);
      registerCrashReadRoutes(api, context);
      registerCrashAdminRoutes(api, context);
      registerAdminRoutes(api, context);
    },
    { prefix: '/api' },
  );
}

// Every documented route that needs a credential says so in OpenAPI: 401, and 403 when
// it is admin-only or a cookie write (CSRF).
function documentAccessErrors(route: RouteOptions): void {
  const schema = route.schema as { response?: Record<string, unknown>; hide?: boolean } | undefined;
  if (!schema?.response || schema.hide) return;
  const method = [route.method].flat()[0] ?? 'GET';
  const access = route.config?.access ?? defaultAccess(method);
  if (access === 'public' || access === 'optional') return;
  schema.response[401] ??= { ...ErrorResponse, description: 'No credential, or an unknown or revoked token (code AUTH_REQUIRED).' };
  if (access === 'admin') schema.response[403] ??= { ...ErrorResponse, description: 'Not an admin (AUTH_FORBIDDEN), or a cookie write without X-CSRF-Token (CSRF_INVALID).' };
}

// A repeated parameter (`?build=1&build=2`) counts once, with its first value, as
// Flask's request.args.get did in the reference.
async function keepFirstQueryValues(request: FastifyRequest): Promise<void> {
  const query = request.query as Record<string, unknown> | undefined;
  if (!query || typeof query !== 'object') return;
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) query[key] = value[0];
  }
}
