// Vite build of the web UI (src/ui) into dist/ui, served by the server at / (src/ui-static.ts).
// JSX goes through Vite's own transform with Preact's automatic runtime (no Babel preset).

import { defineConfig } from 'vite';

export default defineConfig({
  root: 'src/ui',
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../../dist/ui',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    // `npx vite` for UI work: API calls go to a server started with `npm start`.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
