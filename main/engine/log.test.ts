import { describe, expect, it } from 'vitest';
import { redact } from './log.js';

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
