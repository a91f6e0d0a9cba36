import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import { logger } from '../log.js';

const log = logger('children');

interface ChildRecord {
  pid: number;
  tag: string;
  started: number;
}

function readCmdline(pid: number): string | null {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Owns every child process of the engine. Each child gets its own process
 * group (so a kill reaches its whole tree), and its pid is written to
 * run/children.json so that the next start can reap strays left by an
 * engine that died without cleaning up.
 */
export class ChildRegistry {
  private live = new Map<number, { child: ChildProcess; rec: ChildRecord }>();

  constructor(
    private readonly file: string,
    /** A string every command line of ours contains (the data dir), so we never kill a stranger that reused a pid. */
    private readonly marker: string,
  ) {}

  /** Kill children recorded by an earlier engine on this data dir that are still running. */
  reapStrays(): number {
    let recs: ChildRecord[] = [];
    try {
      recs = JSON.parse(fs.readFileSync(this.file, 'utf8')) as ChildRecord[];
    } catch {
      /* no file: nothing to reap */
    }
    let n = 0;
    for (const r of recs) {
      if (!alive(r.pid)) continue;
      const cmd = readCmdline(r.pid);
      if (cmd === null || (process.platform === 'linux' && !cmd.includes(this.marker))) continue;
      try {
        process.kill(-r.pid, 'SIGKILL');
      } catch {
        try {
          process.kill(r.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      n++;
      log.warn(`reaped a stray ${r.tag} (pid ${r.pid}) left by an earlier engine`);
    }
    this.persist();
    return n;
  }

  spawn(tag: string, cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
    const child = spawn(cmd, args, { ...opts, detached: true });
    if (child.pid) {
      const rec = { pid: child.pid, tag, started: Date.now() };
      this.live.set(child.pid, { child, rec });
      this.persist();
      child.once('exit', () => {
        this.live.delete(rec.pid);
        this.persist();
      });
    }
    return child;
  }

  /** Signal a child's whole process group. */
  kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
    if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      try {
        child.kill(signal);
      } catch {
        /* already gone */
      }
    }
  }

  /**
   * Ask politely, then force after `graceMs`. Resolves when it has exited.
   * `againAfterMs`: send SIGTERM a second time after that long. ffmpeg needs it when it is stuck in a read that
   * never returns (a stalled camera): its first signal only asks the main loop to stop, the second also interrupts
   * blocking I/O (fftools: the interrupt callback fires once more signals came than the one transcoding began with).
   */
  async stop(child: ChildProcess, graceMs = 3000, opts: { againAfterMs?: number } = {}): Promise<void> {
    if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((res) => child.once('exit', () => res()));
    this.kill(child, 'SIGTERM');
    const again = opts.againAfterMs !== undefined ? setTimeout(() => this.kill(child, 'SIGTERM'), opts.againAfterMs) : null;
    const t = setTimeout(() => this.kill(child, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(t);
    if (again) clearTimeout(again);
  }

  async stopAll(graceMs = 3000): Promise<void> {
    await Promise.all([...this.live.values()].map(({ child }) => this.stop(child, graceMs)));
  }

  /** Last resort on process exit: synchronous SIGKILL to every group. */
  killAllSync(): void {
    for (const { child } of this.live.values()) this.kill(child, 'SIGKILL');
  }

  count(): number {
    return this.live.size;
  }

  private persist(): void {
    try {
      const tmp = this.file + '.tmp';
      fs.writeFileSync(tmp, JSON.stringify([...this.live.values()].map((v) => v.rec)));
      fs.renameSync(tmp, this.file);
    } catch (err) {
      log.warn(`could not write ${this.file}`, err);
    }
  }
}
