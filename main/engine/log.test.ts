import { describe, expect, it } from 'vitest';
import { logger, redact } from './log.js';

describe('redact', () => {
  it('masks credentials in URLs', () => {
    expect(redact('opening rtsp://admin:s3cret@10.0.0.5:554/stream1')).toBe('opening rtsp://admin:***@10.0.0.5:554/stream1');
  });
  it('masks key=value and JSON pairs', () => {
    expect(redact('POST a=1&password=hunter22&b=2')).toBe('POST a=1&password=***&b=2');
    expect(redact('{"username":"x","password":"hunter22"}')).toBe('{"username":"x","password":"***"}');
    expect(redact('token=abc.def')).toBe('token=***');
  });
  it('leaves prose about passwords readable', () => {
    const msg = 'Wrong password: wrong username or password (RTSP 401): fix them in Cameras → Edit';
    expect(redact(msg)).toBe(msg);
  });
});

describe('one call, one line', () => {
  it('escapes control characters and bidi overrides in the message and in errors, keeping the stack frames', () => {
    const lines: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => (lines.push(s), true)) as typeof process.stderr.write;
    try {
      logger('t').warn('failed login for "evil\r\n2026-01-01T00:00:00.000Z INFO  [engine] admin logged in\u202e"');
      logger('t').warn('with an error', new Error('bad\nname'));
    } finally {
      process.stderr.write = write;
    }
    expect(lines[0]!.trimEnd().split('\n')).toHaveLength(1);
    expect(lines[0]).toContain('evil\\r\\n2026-01-01T00:00:00.000Z INFO  [engine] admin logged in\\u202e');
    const err = lines[1]!.trimEnd().split('\n');
    expect(err[0]).toMatch(/with an error Error: bad\\nname$/);
    expect(err.slice(1).every((l) => /^\s+at /.test(l))).toBe(true);
  });
});
