import fs from 'node:fs';
import { ConfigStore } from '../engine/config/store.js';
import { KeyFileSecretBox } from '../engine/config/secrets.js';
import { DataPaths, secureDataDir } from '../engine/paths.js';

/** Open a data dir's config without starting an engine (for CLI commands). */
export async function openConfig(dataDir: string): Promise<{ paths: DataPaths; store: ConfigStore; secrets: KeyFileSecretBox }> {
  const paths = new DataPaths(dataDir);
  secureDataDir(paths); // 0700, and 0600 for the config, keys and index
  const store = new ConfigStore(paths.config);
  await store.load();
  return { paths, store, secrets: new KeyFileSecretBox(paths.secretKey) };
}

/** The URL of a server running on this data dir, if any. */
export function runningServer(paths: DataPaths): { pid: number; url?: string } | null {
  try {
    const lock = JSON.parse(fs.readFileSync(paths.lock, 'utf8')) as { pid: number; url?: string };
    process.kill(lock.pid, 0);
    return lock;
  } catch {
    return null;
  }
}
