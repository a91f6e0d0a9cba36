/**
 * One engine per data dir: `run/engine.json` holds the running engine's pid
 * (and, once a transport listens, its URL, so the CLI can find it). A second
 * engine on the same dir would fight over the same files.
 */
import fs from 'node:fs';

export class RunLock {
  constructor(
    private readonly file: string,
    private readonly dataDir: string,
  ) {}

  /** Take the lock, or throw saying which engine holds it. A lock left by a dead process is taken over. */
  take(startedAt: string): void {
    const file = this.file;
    try {
      const prev = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid: number };
      if (prev.pid !== process.pid) {
        try {
          process.kill(prev.pid, 0);
          const cmd = fs.existsSync(`/proc/${prev.pid}/cmdline`) ? fs.readFileSync(`/proc/${prev.pid}/cmdline`, 'utf8') : 'node';
          if (/node|gatehouse|electron/i.test(cmd)) {
            throw new Error(`another Gatehouse engine (pid ${prev.pid}) is already running on ${this.dataDir}; stop it first, or use another --data dir`);
          }
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ESRCH' && (err as Error).message.startsWith('another')) throw err;
        }
      }
    } catch (err) {
      if ((err as Error).message?.startsWith('another')) throw err;
    }
    fs.writeFileSync(file, JSON.stringify({ pid: process.pid, startedAt }));
  }

  /** Record where a transport listens. */
  setUrl(url: string): void {
    try {
      const cur = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(this.file, JSON.stringify({ ...cur, url }));
    } catch {
      /* lock gone: stopping */
    }
  }

  release(): void {
    try {
      const cur = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { pid: number };
      if (cur.pid === process.pid) fs.rmSync(this.file, { force: true });
    } catch {
      /* nothing to release */
    }
  }
}
