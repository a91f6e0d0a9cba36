/**
 * The built console (dist/renderer) over HTTP: files inside the folder only
 * (a path check on the resolved real path, not a string prefix: a sibling
 * such as `dist/renderer-x` is outside), index.html for client routes, no
 * source maps (they carry the full sources), and a CSP whose connect-src is
 * this page's own origin (http, ws and their TLS forms) and nothing else.
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
};

/** True when `file` is `root` or inside it (both absolute, already resolved). */
export function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel === '' || (!rel.startsWith('..' + path.sep) && rel !== '..' && !path.isAbsolute(rel));
}

/**
 * The console's Content-Security-Policy for a page served under `host` (a
 * Host header already checked): over TLS only wss:// to itself. The service
 * worker and the web app manifest come from this origin only.
 */
export function consoleCsp(host: string, tls = false): string {
  const h = host.toLowerCase();
  return [
    "default-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    tls ? `connect-src 'self' wss://${h}` : `connect-src 'self' ws://${h} wss://${h}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
}

function text(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
}

export function serveStatic(req: http.IncomingMessage, res: http.ServerResponse, pathname: string, staticDir: string): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return text(res, 400, 'malformed path');
  }
  if (rel.includes('\0')) return text(res, 400, 'malformed path');
  const root = path.resolve(staticDir);
  let file = path.resolve(root, '.' + (rel.startsWith('/') ? rel : '/' + rel));
  if (!isInside(root, file)) return text(res, 403, 'forbidden');
  if (path.extname(file).toLowerCase() === '.map') return text(res, 404, 'source maps are not served');
  const isAsset = /\.[a-z0-9]+$/i.test(rel);
  let found = false;
  try {
    found = fs.statSync(file).isFile();
  } catch {
    found = false;
  }
  if (found) {
    // A link inside the folder must not lead out of it either.
    try {
      if (!isInside(fs.realpathSync(root), fs.realpathSync(file))) return text(res, 403, 'forbidden');
    } catch {
      found = false;
    }
  }
  if (!isAsset || !found) {
    if (isAsset && rel !== '/index.html') return text(res, 404, 'not found');
    file = path.join(root, 'index.html');
  }
  if (!fs.existsSync(file)) return text(res, 503, 'The console has not been built. Run "npm run build" and reload.');
  const ext = path.extname(file);
  // Vite's content-hashed assets (assets/) never change; everything else (the page, the service worker, the
  // manifest, icons) is checked each time, so a deploy reaches every browser.
  const fresh = !isInside(path.join(root, 'assets'), file);
  const tls = !!(req.socket as { encrypted?: boolean }).encrypted;
  res.writeHead(200, {
    'content-type': MIME[ext] ?? 'application/octet-stream',
    'cache-control': fresh ? 'no-cache' : 'public, max-age=31536000, immutable',
    ...(ext === '.html' ? { 'content-security-policy': consoleCsp(req.headers.host ?? '127.0.0.1', tls) } : {}),
    // the service worker may control the whole console, not only the folder it sits in (it is at the root anyway)
    ...(path.basename(file) === 'sw.js' ? { 'service-worker-allowed': '/' } : {}),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  fs.createReadStream(file).pipe(res);
}
