// The ingest plugin: the collector routes with their own catch-all body parser
// (raw bytes for every Content-Type, application/text and none included: fastify
// would answer 415 otherwise). Encapsulated, so the API keeps its JSON parser.

import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.ts';
import type { Pool } from '../db/pool.ts';
import type { BatchWriter } from './batch-writer.ts';
import type { IngestMetrics } from './metrics.ts';
import { registerIngestRoutes } from './routes.ts';

export interface IngestPluginOptions {
  config: Config;
  pool: Pool;
  writer: BatchWriter;
  metrics: IngestMetrics;
}

export async function ingestPlugin(app: FastifyInstance, options: IngestPluginOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.config.ingest.bodyLimit }, (_request, body, done) => {
    done(null, body);
  });
  registerIngestRoutes(app, options);
}
