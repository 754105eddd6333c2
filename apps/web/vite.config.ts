/**
 * The web app's build: `npm run build` runs `vite build -c apps/web/vite.config.ts`, which writes
 * dist/web (index.html, and the hashed files under dist/web/assets that the node serves at
 * /static/assets/). `npm run dev:web` serves the sources with hot reload and sends the server's
 * routes to a node on :8065 (MM_DEV_SERVER overrides).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { bundleBudget } from './build/bundle-budget.js';

const root = fileURLToPath(new URL('.', import.meta.url));
const server = process.env.MM_DEV_SERVER ?? 'http://127.0.0.1:8065';

export default defineConfig(({ command }) => ({
  root,
  // Every asset URL is absolute under /static/, so index.html works at any client route's depth.
  // The dev server serves at / (its own history fallback) and proxies the node's routes.
  base: command === 'build' ? '/static/' : '/',
  plugins: [react(), bundleBudget()],
  resolve: {
    // @mattermost/commonmark's dependencies that the browser has built in (see the two modules).
    alias: {
      entities: fileURLToPath(new URL('./src/components/markdown/entities-lite.ts', import.meta.url)),
      xregexp: fileURLToPath(new URL('./src/components/markdown/xregexp-lite.ts', import.meta.url)),
      'string.prototype.repeat': fileURLToPath(new URL('./src/components/markdown/empty-module.ts', import.meta.url)),
    },
  },
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // No inline data: URLs for small assets, so that CSP's img-src and font-src can stay 'self'.
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': { target: server, ws: true },
      '/oauth': server,
      '/login/sso': server,
      '^/(signup|login)/[^/]+/complete': server,
    },
  },
}));
