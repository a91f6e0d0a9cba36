/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { serviceWorker } from './sw/plugin.js';

const root = import.meta.dirname;

const engine = process.env.GATEHOUSE_DEV_ENGINE ?? 'http://127.0.0.1:8780';

// The console is served by the engine from dist/renderer (see main/server/http.ts).
// `npx vite --config renderer/vite.config.ts` runs a dev server that proxies the API
// (RPC, media and both WebSockets) to a running `gatehouse serve`.
export default defineConfig({
  root,
  base: './',
  plugins: [react(), serviceWorker(root)],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      onwarn(warning, warn) {
        // zod ships /*#__PURE__*/ comments in places Rollup ignores: harmless noise.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return;
        warn(warning);
      },
    },
  },
  server: {
    port: 5173,
    strictPort: false,
    proxy: {
      '/api': { target: engine, ws: true, changeOrigin: false },
    },
  },
  test: {
    root,
    environment: 'happy-dom',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
  },
});
