import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyFileSecretBox } from '../engine/config/secrets.js';
import { WrappedKeySecretBox } from './wrapped-key.js';

describe('WrappedKeySecretBox', () => {
  it('seals in the key file format and opens values sealed by the key file box', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-keys-'));
    try {
      const keyFile = path.join(dir, 'secret.key');
      const cli = new KeyFileSecretBox(keyFile);
      const byCli = cli.seal('cli-password');
      const box = new WrappedKeySecretBox(crypto.randomBytes(32), keyFile);
      const sealed = box.seal('camera-password');
      expect(sealed).toMatch(/^enc:v1:/);
      expect(sealed).not.toContain('camera-password');
      expect(box.open(sealed)).toBe('camera-password');
      expect(box.open(byCli)).toBe('cli-password');
      expect(() => cli.open(sealed)).toThrow();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says what to do when a value was sealed with another key or is garbage', () => {
    const a = new WrappedKeySecretBox(crypto.randomBytes(32));
    const b = new WrappedKeySecretBox(crypto.randomBytes(32));
    expect(() => b.open(a.seal('x'))).toThrow(/enter the camera password again/);
    expect(() => b.open('plain')).toThrow(/enc:v1/);
    expect(() => new WrappedKeySecretBox(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});
