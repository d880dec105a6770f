// Module declarations for what Vite bundles besides TypeScript: CSS imports.

declare module '*.css';
