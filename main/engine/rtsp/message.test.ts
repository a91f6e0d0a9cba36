import { describe, expect, it } from 'vitest';
import { header, RtspFramer, RtspProtocolError, serialize, setHeader, type Piece, type RtspMessage } from './message.js';

function frame(channel: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h[0] = 0x24;
  h[1] = channel;
  h.writeUInt16BE(payload.length, 2);
  return Buffer.concat([h, payload]);
}

/** Feed `stream` in chunks of the given sizes; return the messages and the concatenated pass-through bytes in order. */
function run(stream: Buffer, sizes: (i: number) => number): { items: (RtspMessage | Buffer)[]; bytes: Buffer } {
  const f = new RtspFramer();
  const items: (RtspMessage | Buffer)[] = [];
  let at = 0;
  for (let i = 0; at < stream.length; i++) {
    const n = Math.max(1, sizes(i));
    const pieces: Piece[] = f.feed(stream.subarray(at, at + n));
    at += n;
    for (const p of pieces) {
      if (p.kind === 'message') items.push(p.msg);
      else {
        const last = items[items.length - 1];
        if (Buffer.isBuffer(last)) items[items.length - 1] = Buffer.concat([last, p.data]);
        else items.push(Buffer.from(p.data));
      }
    }
  }
  const bytes = Buffer.concat(items.filter((x): x is Buffer => Buffer.isBuffer(x)));
  return { items, bytes };
}

describe('RTSP framing', () => {
  const sdp = Buffer.from('v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nm=video 0 RTP/AVP 96\r\na=control:trackID=1\r\n');
  const describe200 = Buffer.concat([
    Buffer.from(`RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n`),
    sdp,
  ]);
  const rtp1 = frame(0, Buffer.alloc(1400, 7));
  const rtcp = frame(1, Buffer.from([0x24, 0x0d, 0x0a, 0x52, 0x54, 0x53, 0x50])); // payload that looks like framing
  const rtp2 = frame(0, Buffer.alloc(3, 9));
  const keepalive = Buffer.from('RTSP/1.0 200 OK\r\nCSeq: 7\r\nSession: abc\r\n\r\n');
  const stream = Buffer.concat([describe200, rtp1, rtcp, keepalive, rtp2, Buffer.from('\r\n'), rtp1]);

  for (const [name, sizes] of [
    ['in one read', () => 1 << 20],
    ['a byte at a time', () => 1],
    ['in reads of 3', () => 3],
    ['in reads of varying size', (i: number) => ((i * 7919) % 97) + 1],
  ] as const) {
    it(`splits messages and $ frames ${name}`, () => {
      const { items, bytes } = run(stream, sizes);
      const msgs = items.filter((x): x is RtspMessage => !Buffer.isBuffer(x));
      expect(msgs.map((m) => m.startLine)).toEqual(['RTSP/1.0 200 OK', 'RTSP/1.0 200 OK']);
      expect(msgs[0]!.body.equals(sdp)).toBe(true);
      expect(header(msgs[0]!, 'content-type')).toBe('application/sdp');
      expect(header(msgs[1]!, 'CSEQ')).toBe('7');
      // every binary byte comes out untouched, in order
      expect(bytes.equals(Buffer.concat([rtp1, rtcp, rtp2, Buffer.from('\r\n'), rtp1]))).toBe(true);
      // and in the right place relative to the messages
      expect(Buffer.isBuffer(items[1]) && items[1].length).toBe(rtp1.length + rtcp.length);
    });
  }

  it('serializes what it parsed to the same bytes (CRLF)', () => {
    const f = new RtspFramer();
    const p = f.feed(describe200);
    expect(p).toHaveLength(1);
    const msg = (p[0] as { msg: RtspMessage }).msg;
    expect(serialize(msg).equals(describe200)).toBe(true);
    setHeader(msg, 'cseq', '9');
    expect(serialize(msg).toString()).toContain('CSeq: 9\r\n');
  });

  it('refuses what is not RTSP, and oversized headers or bodies', () => {
    expect(() => new RtspFramer().feed(Buffer.from('HELLO\r\n\r\n'))).toThrow(RtspProtocolError);
    expect(() => new RtspFramer().feed(Buffer.from('OPTIONS * RTSP/1.0\r\nX: ' + 'a'.repeat(70 * 1024)))).toThrow(RtspProtocolError);
    expect(() => new RtspFramer().feed(Buffer.from('RTSP/1.0 200 OK\r\nContent-Length: 99999999\r\n\r\n'))).toThrow(RtspProtocolError);
    expect(() => new RtspFramer().feed(Buffer.from('RTSP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n'))).toThrow(RtspProtocolError);
  });
});
