/**
 * Where this engine can be reached: the transports (main/server/http.ts)
 * add each listener here when it listens and remove it when it stops. The
 * auth concern asks it whether admins must use two-factor sign-in (the
 * server listens beyond loopback), and Settings → Remote access shows it.
 */
import net from 'node:net';
import type { ListenerInfo } from '../../api/remote.js';

/** True for an address that only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || h === '0:0:0:0:0:0:0:1' || h.startsWith('::ffff:127.');
  return false;
}

export class Exposure {
  private list: ListenerInfo[] = [];

  /** Record a listener; returns its removal. */
  add(l: ListenerInfo): () => void {
    this.list.push(l);
    return () => {
      this.list = this.list.filter((x) => x !== l);
    };
  }

  get listeners(): readonly ListenerInfo[] {
    return this.list;
  }

  /** Some listener is reachable from other machines. */
  beyondLoopback(): boolean {
    return this.list.some((l) => l.beyondLoopback);
  }
}
