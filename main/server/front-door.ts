/**
 * One port, TLS only (docs/security.md, "HTTPS"): every connection's first
 * byte decides. A TLS handshake (0x16) goes to the HTTPS server; anything
 * else is plain HTTP to a TLS port, which gets no data at all: a GET of a
 * console page is redirected to the same address over https (nothing of the
 * console in the body), every other request (the API, media, a WebSocket
 * upgrade, any POST) a 400 that says to use https. The plain side never
 * reads a cookie or runs a route.
 */
import http from 'node:http';
import type https from 'node:https';
import net from 'node:net';
import type { HostPolicy } from './request-policy.js';

const TLS_HANDSHAKE = 0x16;
/** A connection that sends nothing is closed after this long. */
const FIRST_BYTE_MS = 15_000;

function plainAnswer(hosts: HostPolicy, port: () => number) {
  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    req.resume();
    const refused = hosts.check(req);
    res.setHeader('connection', 'close');
    res.setHeader('cache-control', 'no-store');
    res.setHeader('x-content-type-options', 'nosniff');
    if (refused) {
      res.writeHead(refused.status, { 'content-type': 'text/plain; charset=utf-8' }).end(refused.message + '\n');
      return;
    }
    const name = req.headers.host!.replace(/:\d+$/, '');
    let pathname = '/';
    try {
      pathname = new URL(req.url ?? '/', 'http://x').pathname;
    } catch {
      /* the redirect goes to / */
    }
    const target = `https://${name}:${port()}${pathname.startsWith('/api/') ? '/' : pathname}`;
    if ((req.method === 'GET' || req.method === 'HEAD') && !pathname.startsWith('/api/')) {
      res
        .writeHead(308, { location: target, 'content-type': 'text/html; charset=utf-8' })
        .end(`<!doctype html><title>Use HTTPS</title><p>This Gatehouse answers over HTTPS only: <a href="${encodeURI(target)}">${encodeURI(target)}</a></p>\n`);
      return;
    }
    res
      .writeHead(400, { 'content-type': 'application/json; charset=utf-8' })
      .end(JSON.stringify({ error: { code: 'bad_request', message: `this port answers over HTTPS only: use https://${name}:${port()}/` } }));
  };
}

export interface FrontDoor {
  server: net.Server;
  /** Close every connection (stop). */
  destroyAll(): void;
}

/** A TCP server that hands TLS connections to `secure` and answers plain HTTP with no data. */
export function frontDoor(secure: https.Server, hosts: HostPolicy): FrontDoor {
  const sockets = new Set<net.Socket>();
  const front = net.createServer({ pauseOnConnect: true });
  const plain = http.createServer(plainAnswer(hosts, () => (front.address() as net.AddressInfo | null)?.port ?? 0));
  plain.on('upgrade', (_req, socket: net.Socket) => {
    const body = JSON.stringify({ error: { code: 'bad_request', message: 'this port answers over HTTPS only: open the WebSocket with wss://' } });
    socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
  plain.on('clientError', (_err, socket) => socket.destroy());
  plain.headersTimeout = 10_000;
  plain.requestTimeout = 10_000;

  front.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const timer = setTimeout(() => socket.destroy(), FIRST_BYTE_MS);
    socket.once('readable', () => {
      clearTimeout(timer);
      const first = socket.read(1) as Buffer | null;
      if (!first) {
        socket.destroy();
        return;
      }
      socket.unshift(first);
      (first[0] === TLS_HANDSHAKE ? secure : plain).emit('connection', socket);
    });
  });
  return {
    server: front,
    destroyAll: () => {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
  };
}
