// Builds the real server over a fresh test database, listening on 127.0.0.1:0.

import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { buildServer } from '../../src/server.ts';
import { createTestDatabase, type DatabaseTarget, type TestDatabase } from './database.ts';

export interface TestServer {
  app: FastifyInstance;
  db: TestDatabase;
  config: Config;
  baseUrl: string;
  close(): Promise<void>;
}

export async function startTestServer(target: DatabaseTarget, flags: Record<string, string> = {}): Promise<TestServer> {
  const db = await createTestDatabase(target);
  const config = loadConfig({ flags: { host: '127.0.0.1', port: '0', databaseUrl: db.url, logLevel: 'silent', ...flags }, env: {} });
  const app = await buildServer(config, { pool: db.pool, logger: pino({ level: 'silent' }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    db,
    config,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
