// Serves the built web UI (dist/ui, `npm run build:ui`) at /: hashed assets cached for a
// year, index.html never cached, and index.html for the UI's client-side routes (GET
// asking for HTML). Never shadows the API, the collector, health or metrics routes. Public.

import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `vite build` writes the UI (vite.config.ts). */
export const UI_BUILD_DIR = join(import.meta.dirname, '..', 'dist', 'ui');

/** Paths owned by the server, never answered with the UI. */
const SERVER_PATHS = /^\/(api|docs|v2\/collector|v3\/collector|healthz|readyz|metrics|assets)(\/|$)/;

export const UI_NOT_BUILT_MESSAGE =
  'The web UI is not built. Run `npm run build:ui` (`npm start` and `npm test` build it when missing), then reload this page. The JSON API answers under /api (documentation at /docs).\n';

// Security headers (CSP and others) come from src/auth/security-headers.ts, for every response.
const INDEX_HEADERS = { 'Cache-Control': 'no-cache' };

export interface UiRoutesOptions {
  /** the built UI; default dist/ui */
  root?: string;
}

export async function registerUiRoutes(app: FastifyInstance, options: UiRoutesOptions = {}): Promise<void> {
  const root = options.root ?? UI_BUILD_DIR;
  const assets = join(root, 'assets');
  const built = await isDirectory(assets);
  if (!built) app.log.warn({ root }, 'web UI not built: GET / explains how (npm run build:ui)');

  await app.register(async (ui) => {
    // The SPA's files are public (it shows the login page); the data behind it is guarded by the API.
    ui.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: 'public' };
    });
    if (built) {
      await ui.register(fastifyStatic, {
        root: assets,
        prefix: '/assets/',
        decorateReply: false,
        index: false,
        cacheControl: false,
        // File names carry a content hash: a changed file gets a new name.
        setHeaders: (res) => res.setHeader('Cache-Control', 'public, max-age=31536000, immutable'),
      });
    }
    const sendIndex = async (_request: FastifyRequest, reply: FastifyReply) => {
      const html = await readFile(join(root, 'index.html')).catch(() => null);
      if (html === null) return reply.code(503).header('Cache-Control', 'no-store').type('text/plain; charset=utf-8').send(UI_NOT_BUILT_MESSAGE);
      return reply.headers(INDEX_HEADERS).type('text/html; charset=utf-8').send(html);
    };
    ui.get('/', { schema: { hide: true } }, sendIndex);
    ui.get('/*', { schema: { hide: true } }, async (request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      if (SERVER_PATHS.test(path) || !acceptsHtml(request)) return reply.callNotFound();
      return sendIndex(request, reply);
    });
  });
}

function acceptsHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/html');
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
