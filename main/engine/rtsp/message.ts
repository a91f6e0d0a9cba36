/**
 * RTSP 1.0 framing on one TCP connection (RFC 2326 §10.12): text messages
 * (a start line, header lines, an empty line, then Content-Length bytes of
 * body) mixed with `$`-interleaved binary frames (`$`, channel, 16-bit
 * big-endian length, payload). The framer splits a byte stream into
 * messages, which the relay may rewrite, and runs of other bytes (binary
 * frames, stray line ends), which it forwards untouched. Binary frames are
 * never copied: a frame split across reads comes out as slices.
 */

export interface RtspMessage {
  /** The first line without its line end: "DESCRIBE rtsp://… RTSP/1.0" or "RTSP/1.0 200 OK". */
  startLine: string;
  /** Header lines as received, without line ends. */
  headers: string[];
  body: Buffer;
}

export type Piece = { kind: 'bytes'; data: Buffer } | { kind: 'message'; msg: RtspMessage };

/** A header block longer than this is not RTSP. */
export const MAX_HEADER_BYTES = 64 * 1024;
/** Bodies are SDP, parameters or errors: small. */
export const MAX_BODY_BYTES = 1024 * 1024;

export class RtspProtocolError extends Error {}

const CR = 0x0d;
const LF = 0x0a;
const DOLLAR = 0x24;

/** End of the header block starting at `from`: [index of the blank line's end, length of the terminator], or null. */
function headerEnd(data: Buffer, from: number): [number, number] | null {
  for (let i = from; i < data.length; i++) {
    if (data[i] !== LF) continue;
    // "\n\n" or "\n\r\n" ends the block
    if (data[i + 1] === LF) return [i + 2, 2];
    if (data[i + 1] === CR && data[i + 2] === LF) return [i + 3, 3];
  }
  return null;
}

export class RtspFramer {
  private pending: Buffer | null = null;
  /** Bytes still to pass of the binary frame being forwarded. */
  private binaryLeft = 0;

  /** Split the next chunk of the stream. Throws RtspProtocolError on an oversized or malformed message. */
  feed(chunk: Buffer): Piece[] {
    const out: Piece[] = [];
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let i = 0;
    let rawStart = -1;
    const flushRaw = (end: number) => {
      if (rawStart >= 0 && end > rawStart) out.push({ kind: 'bytes', data: data.subarray(rawStart, end) });
      rawStart = -1;
    };
    while (i < data.length) {
      if (this.binaryLeft > 0) {
        const n = Math.min(this.binaryLeft, data.length - i);
        if (rawStart < 0) rawStart = i;
        i += n;
        this.binaryLeft -= n;
        continue;
      }
      const b = data[i]!;
      if (b === DOLLAR) {
        if (data.length - i < 4) {
          flushRaw(i);
          this.pending = data.subarray(i);
          return out;
        }
        if (rawStart < 0) rawStart = i;
        this.binaryLeft = 4 + data.readUInt16BE(i + 2);
        continue;
      }
      if (b === CR || b === LF) {
        // stray line ends between messages: pass them on
        if (rawStart < 0) rawStart = i;
        i++;
        continue;
      }
      flushRaw(i);
      const end = headerEnd(data, i);
      if (!end) {
        if (data.length - i > MAX_HEADER_BYTES) throw new RtspProtocolError('an RTSP header block longer than 64 KiB');
        this.pending = data.subarray(i);
        return out;
      }
      const [bodyStart, term] = end;
      if (bodyStart - i > MAX_HEADER_BYTES) throw new RtspProtocolError('an RTSP header block longer than 64 KiB');
      const lines = data
        .subarray(i, bodyStart - term)
        .toString('latin1')
        .replace(/\r$/, '')
        .split(/\r?\n/);
      const startLine = lines.shift() ?? '';
      if (!/^RTSP\/\d\.\d \d{3}\b/.test(startLine) && !/^[A-Z_]+ \S+ RTSP\/\d\.\d$/.test(startLine)) {
        throw new RtspProtocolError(`not an RTSP message: ${JSON.stringify(startLine.slice(0, 60))}`);
      }
      const cl = contentLength(lines);
      if (cl > MAX_BODY_BYTES) throw new RtspProtocolError(`an RTSP body of ${cl} bytes`);
      if (data.length - bodyStart < cl) {
        this.pending = data.subarray(i);
        return out;
      }
      out.push({ kind: 'message', msg: { startLine, headers: lines, body: data.subarray(bodyStart, bodyStart + cl) } });
      i = bodyStart + cl;
    }
    flushRaw(data.length);
    return out;
  }
}

function contentLength(lines: string[]): number {
  const v = headerIn(lines, 'content-length');
  if (v === undefined) return 0;
  const n = Number(v.trim());
  if (!Number.isInteger(n) || n < 0) throw new RtspProtocolError(`a bad Content-Length: ${JSON.stringify(v)}`);
  return n;
}

function headerIn(lines: readonly string[], name: string): string | undefined {
  const want = name.toLowerCase();
  for (const l of lines) {
    const c = l.indexOf(':');
    if (c > 0 && l.slice(0, c).trim().toLowerCase() === want) return l.slice(c + 1).trim();
  }
  return undefined;
}

/** The first value of a header (case-insensitive name). */
export function header(msg: RtspMessage, name: string): string | undefined {
  return headerIn(msg.headers, name);
}

/** Every value of a header. */
export function headers(msg: RtspMessage, name: string): string[] {
  const want = name.toLowerCase();
  const out: string[] = [];
  for (const l of msg.headers) {
    const c = l.indexOf(':');
    if (c > 0 && l.slice(0, c).trim().toLowerCase() === want) out.push(l.slice(c + 1).trim());
  }
  return out;
}

/** Replace a header's value (every occurrence), or append it when absent. */
export function setHeader(msg: RtspMessage, name: string, value: string): void {
  const want = name.toLowerCase();
  let found = false;
  msg.headers = msg.headers.flatMap((l) => {
    const c = l.indexOf(':');
    if (c > 0 && l.slice(0, c).trim().toLowerCase() === want) {
      if (found) return [];
      found = true;
      return [`${l.slice(0, c)}: ${value}`];
    }
    return [l];
  });
  if (!found) msg.headers.push(`${name}: ${value}`);
}

export function removeHeader(msg: RtspMessage, name: string): void {
  const want = name.toLowerCase();
  msg.headers = msg.headers.filter((l) => {
    const c = l.indexOf(':');
    return !(c > 0 && l.slice(0, c).trim().toLowerCase() === want);
  });
}

export function isResponse(msg: RtspMessage): boolean {
  return msg.startLine.startsWith('RTSP/');
}

/** [method, uri, version] of a request. */
export function requestLine(msg: RtspMessage): [string, string, string] {
  const [method = '', uri = '', version = 'RTSP/1.0'] = msg.startLine.split(' ');
  return [method, uri, version];
}

export function statusOf(msg: RtspMessage): number {
  return Number(/^RTSP\/\d\.\d (\d{3})/.exec(msg.startLine)?.[1] ?? 0);
}

/** The message as bytes (header lines joined with CRLF). */
export function serialize(msg: RtspMessage): Buffer {
  const head = Buffer.from([msg.startLine, ...msg.headers].join('\r\n') + '\r\n\r\n', 'latin1');
  return msg.body.length ? Buffer.concat([head, msg.body]) : head;
}
