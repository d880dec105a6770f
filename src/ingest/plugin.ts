// The ingest plugin: the collector routes with their own catch-all body parser
// (raw bytes for every Content-Type, application/text and none included: fastify
// would answer 415 otherwise). Encapsulated, so the API keeps its JSON parser.

import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.ts';
import type { Pool } from '../db/pool.ts';
import type { BatchWriter } from './batch-writer.ts';
import type { IngestMetrics } from './metrics.ts';
import { ORIGINAL_CONTENT_TYPE } from './decode-request.ts';
import { registerIngestRoutes } from './routes.ts';

export interface IngestPluginOptions {
  config: Config;
  pool: Pool;
  writer: BatchWriter;
  metrics: IngestMetrics;
}

export async function ingestPlugin(app: FastifyInstance, options: IngestPluginOptions): Promise<void> {
  // The reference never checks Content-Type, but fastify answers 415 to one it cannot parse
  // ("text", "a b", ";"). Hide it from fastify's parser choice; decodeRequest reads it back.
  app.addHook('onRequest', async (request) => {
    const contentType = request.headers['content-type'];
    if (contentType === undefined) return;
    request.headers[ORIGINAL_CONTENT_TYPE] = contentType;
    delete request.headers['content-type'];
  });
  // telemetrics-client cannot authenticate (it sends only the TID): ingest stays open.
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, access: 'public' };
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.config.ingest.bodyLimit }, (_request, body, done) => {
    done(null, body);
  });
  registerIngestRoutes(app, options);
}
