/**
 * dist/renderer/sw.js from renderer/sw/sw.js (docs/console.md, "Phone
 * console and PWA"): the worker with the shell it keeps (every built file but
 * source maps, and the public files) and a version that is a hash of all of
 * them and of the worker itself, so each deploy updates installed consoles.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';

export interface ShellFile {
  name: string;
  content: string | Uint8Array;
}

/** The built worker: SHELL_VERSION and SHELL_FILES in front of the source. */
export function serviceWorkerSource(source: string, files: readonly ShellFile[]): { code: string; version: string; names: string[] } {
  const hash = crypto.createHash('sha256').update(source);
  const kept = files.filter((f) => !f.name.endsWith('.map') && f.name !== 'sw.js' && !f.name.startsWith('api/')).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const f of kept) hash.update(f.name).update(f.content);
  const version = hash.digest('hex').slice(0, 16);
  const names = kept.map((f) => f.name);
  const code = `// Built by renderer/sw/plugin.ts from renderer/sw/sw.js.\nconst SHELL_VERSION = ${JSON.stringify(version)};\nconst SHELL_FILES = ${JSON.stringify(names)};\n${source}`;
  return { code, version, names };
}

/** Every file under `dir`, as paths relative to it with "/". */
function filesUnder(dir: string, base = dir): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name)).split(path.sep).join('/')],
  );
}

/** The Vite plugin: emits sw.js once the bundle (index.html included) is complete. */
export function serviceWorker(root: string): Plugin {
  return {
    name: 'gatehouse-service-worker',
    apply: 'build',
    // after Vite's own html plugin has put index.html into the bundle
    enforce: 'post',
    generateBundle(_options, bundle) {
      const files: ShellFile[] = Object.entries(bundle).map(([name, item]) => ({ name, content: item.type === 'chunk' ? item.code : item.source }));
      for (const name of filesUnder(path.join(root, 'public'))) files.push({ name, content: fs.readFileSync(path.join(root, 'public', name)) });
      const built = serviceWorkerSource(fs.readFileSync(path.join(root, 'sw', 'sw.js'), 'utf8'), files);
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: built.code });
    },
  };
}
