// `prestart` and `pretest`: builds the web UI into dist/ui (as `npm run build:ui` does)
// when it is missing or older than its sources, so that a fresh clone's `npm start` and
// `npm test` serve a current UI. Does nothing when the build is up to date.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const index = join(root, 'dist', 'ui', 'index.html');
const sources = [join(root, 'src', 'ui'), join(root, 'vite.config.ts'), join(root, 'package-lock.json')];

const builtAt = mtimeOf(index);
const newestSource = Math.max(...sources.map(newestMtime));
if (builtAt !== null && builtAt >= newestSource) process.exit(0);

process.stdout.write(`build-ui: ${builtAt === null ? 'dist/ui is missing' : 'dist/ui is older than its sources'}; building the web UI\n`);
const { build } = await import('vite');
await build({ configFile: join(root, 'vite.config.ts'), root: join(root, 'src', 'ui'), logLevel: 'warn' });

function mtimeOf(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

function newestMtime(path: string): number {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) return 0;
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}
