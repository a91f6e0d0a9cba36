import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, parseParams, splitUrlCredentials } from '../../api/contract.js';
import { KeyFileSecretBox } from '../config/secrets.js';
import { ConfigStore } from '../config/store.js';
import { addCamera, takeUrlCredentials, updateCamera } from './catalog.js';

describe('credentials inside a camera URL (what installers paste from camera manuals)', () => {
  it('splits user and password out of the URL, percent-decoded', () => {
    expect(splitUrlCredentials('rtsp://admin:s3cret@192.168.1.20:554/Streaming/Channels/101')).toEqual({
      url: 'rtsp://192.168.1.20:554/Streaming/Channels/101',
      username: 'admin',
      password: 's3cret',
    });
    expect(splitUrlCredentials('rtsp://admin:p%40ss%3Aw0rd@cam/stream1')).toEqual({ url: 'rtsp://cam/stream1', username: 'admin', password: 'p@ss:w0rd' });
    expect(splitUrlCredentials('rtsp://admin:p@ss@cam/stream1')).toEqual({ url: 'rtsp://cam/stream1', username: 'admin', password: 'p@ss' });
    expect(splitUrlCredentials('rtsp://viewer@cam/s')).toEqual({ url: 'rtsp://cam/s', username: 'viewer', password: null });
    expect(splitUrlCredentials('rtsp://192.168.1.20/stream?user=a@b')).toBeNull();
    expect(splitUrlCredentials('rtsp://192.168.1.20/stream1')).toBeNull();
  });

  it('cameras.add accepts a URL with credentials (the contract no longer refuses it)', () => {
    const p = parseParams('cameras.add', { name: 'Gate', url: 'rtsp://admin:s3cret@127.0.0.1:8554/gate' });
    expect(p.url).toBe('rtsp://admin:s3cret@127.0.0.1:8554/gate');
    expect(() => parseParams('cameras.add', { name: 'Gate', url: 'ftp://x' })).toThrow(/must start with rtsp/);
  });

  it('moves them into the fields, and refuses credentials that disagree with the fields', () => {
    const r = takeUrlCredentials({ name: 'Gate', url: 'rtsp://admin:s3cret@127.0.0.1/a', subUrl: 'rtsp://admin:s3cret@127.0.0.1/b' });
    expect(r.moved).toBe(true);
    expect(r.input).toMatchObject({ url: 'rtsp://127.0.0.1/a', subUrl: 'rtsp://127.0.0.1/b', username: 'admin', password: 's3cret' });
    expect(takeUrlCredentials({ url: 'rtsp://127.0.0.1/a', username: 'u', password: 'p' })).toEqual({
      input: { url: 'rtsp://127.0.0.1/a', username: 'u', password: 'p' },
      moved: false,
    });
    // the same user typed in the field too is fine
    expect(takeUrlCredentials({ url: 'rtsp://admin:x@h/a', username: 'admin' } as { url: string; username: string; password?: string }).input.password).toBe('x');
    expect(() => takeUrlCredentials({ url: 'rtsp://admin:x@h/a', username: 'viewer' })).toThrow(/holds the user "admin" but the Username field says "viewer"/);
    expect(() => takeUrlCredentials({ url: 'rtsp://admin:x@h/a', username: 'admin', password: 'y' })).toThrow(/another password than the Password field/);
    expect(() => takeUrlCredentials({ url: 'rtsp://admin:x@h/a', subUrl: 'rtsp://other:x@h/b' })).toThrow(ApiError);
  });

  describe('stored', () => {
    let dir: string;
    let config: ConfigStore;
    let secrets: KeyFileSecretBox;
    beforeEach(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-catalog-'));
      config = new ConfigStore(path.join(dir, 'config.json'));
      await config.load();
      secrets = new KeyFileSecretBox(path.join(dir, 'secret.key'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('keeps the URL clean and the password sealed', async () => {
      const cam = await addCamera(config, secrets, parseParams('cameras.add', { name: 'Gate', url: 'rtsp://admin:s3cret@127.0.0.1:8554/gate' }));
      expect(cam.url).toBe('rtsp://127.0.0.1:8554/gate');
      expect(cam.username).toBe('admin');
      expect(cam.password).toMatch(/^enc:v1:/);
      expect(secrets.open(cam.password!)).toBe('s3cret');
      const file = fs.readFileSync(path.join(dir, 'config.json'), 'utf8');
      expect(file).not.toContain('s3cret');
      const upd = await updateCamera(config, secrets, cam.id, { url: 'rtsp://admin:n3w@127.0.0.1:8554/gate2' });
      expect(upd.url).toBe('rtsp://127.0.0.1:8554/gate2');
      expect(secrets.open(upd.password!)).toBe('n3w');
    });
  });
});

describe('ONVIF device address', () => {
  it('accepts a bare IP address, as the hint says', () => {
    for (const xaddr of ['127.0.0.1', '192.168.1.20:8080', 'http://192.168.1.20', 'http://192.168.1.20/onvif/device_service', 'cam-7.local', 'http://[::1]:8080/']) {
      expect(parseParams('onvif.inspect', { xaddr }).xaddr).toBe(xaddr);
    }
    expect(() => parseParams('onvif.inspect', { xaddr: 'ftp://x' })).toThrow(/IP address/);
    expect(() => parseParams('onvif.inspect', { xaddr: 'not an address' })).toThrow(/IP address/);
  });
});
