// The OpenAPI 3 document of the API (built by @fastify/swagger from the route schemas),
// served at /api/openapi.json, and the interactive Swagger UI at /docs.

import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { SERVER_VERSION } from '../version.ts';

export const OPENAPI_PATH = '/api/openapi.json';
export const DOCS_PATH = '/docs';

/** Registers the document generator; call before any documented route is added. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'telemetrics-server API',
        version: SERVER_VERSION,
        description:
          'Query API of the telemetrics server: records (reference GET /api/records, v1.1.0 semantics, with extensions), aggregates for every view, and streamed exports. Errors share one JSON body: `{message, code, details?, requestId}`.',
      },
      components: {
        securitySchemes: {
          bearerToken: { type: 'http', scheme: 'bearer', description: 'An API token (`telemetrics token create`) or TELEMETRICS_ADMIN_TOKEN.' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: 'telemetrics_session', description: 'Set by POST /api/auth/login; writes also need the X-CSRF-Token header.' },
        },
      },
      security: [{ bearerToken: [] }, { sessionCookie: [] }],
      tags: [
        { name: 'records', description: 'Stored records and their filters' },
        { name: 'stats', description: 'Aggregates behind the UI views' },
        { name: 'export', description: 'Streamed CSV and JSON Lines exports' },
        { name: 'crashes', description: 'Top crashes, guilty details, backtraces and the guilty blacklist' },
        { name: 'admin', description: 'Privacy: deleting the records of a machine on request' },
        { name: 'auth', description: 'Login, logout and the session; users and API tokens (docs/security.md)' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PATH, uiConfig: { docExpansion: 'list', deepLinking: true } });
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
}
