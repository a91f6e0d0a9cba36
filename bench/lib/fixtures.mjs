// The test fixtures (TypeScript, test/fixtures/) loaded from the bench through tsx.

import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { root } from './paths.mjs';

const fixture = (name) => tsImport(pathToFileURL(path.join(root, 'test', 'fixtures', name)).href, import.meta.url);

export const media = () => fixture('media.ts');
export const rtsp = () => fixture('rtsp.ts');

/** Is this loopback port free to listen on? */
export function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** The first free port in [from, to] not in `taken`. */
export async function pickPort(from, to, taken = new Set()) {
  for (let p = from; p <= to; p++) {
    if (taken.has(p)) continue;
    if (await portFree(p)) {
      taken.add(p);
      return p;
    }
  }
  throw new Error(`no free port in ${from}-${to}`);
}
