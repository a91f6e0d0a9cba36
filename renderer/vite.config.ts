/// <reference types="vitest/config" />
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const root = import.meta.dirname;

/** Every file under `dir`, as paths relative to it with "/". */
function filesUnder(dir: string, base = dir): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name)).split(path.sep).join('/')],
  );
}

/**
 * dist/renderer/sw.js: renderer/sw/sw.js with the shell it keeps (every built
 * file but source maps, and the public files) and a version that is a hash of
 * all of them and of the worker itself, so each deploy updates installed
 * consoles (docs/console.md, "Phone console and PWA").
 */
function serviceWorker(): Plugin {
  return {
    name: 'gatehouse-service-worker',
    apply: 'build',
    // after Vite's own html plugin has put index.html into the bundle
    enforce: 'post',
    generateBundle(_options, bundle) {
      const source = fs.readFileSync(path.join(root, 'sw', 'sw.js'), 'utf8');
      const hash = crypto.createHash('sha256').update(source);
      const files: string[] = [];
      for (const [name, item] of Object.entries(bundle)) {
        if (name.endsWith('.map')) continue;
        files.push(name);
        hash.update(name).update(item.type === 'chunk' ? item.code : item.source);
      }
      for (const name of filesUnder(path.join(root, 'public'))) {
        if (name === 'sw.js') continue;
        files.push(name);
        hash.update(name).update(fs.readFileSync(path.join(root, 'public', name)));
      }
      files.sort();
      const version = hash.digest('hex').slice(0, 16);
      this.emitFile({
        type: 'asset',
        fileName: 'sw.js',
        source: `// Built by renderer/vite.config.ts from renderer/sw/sw.js.\nconst SHELL_VERSION = ${JSON.stringify(version)};\nconst SHELL_FILES = ${JSON.stringify(files)};\n${source}`,
      });
    },
  };
}
const engine = process.env.GATEHOUSE_DEV_ENGINE ?? 'http://127.0.0.1:8780';

// The console is served by the engine from dist/renderer (see main/server/http.ts).
// `npx vite --config renderer/vite.config.ts` runs a dev server that proxies the API
// (RPC, media and both WebSockets) to a running `gatehouse serve`.
export default defineConfig({
  root,
  base: './',
  plugins: [react(), serviceWorker()],
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
