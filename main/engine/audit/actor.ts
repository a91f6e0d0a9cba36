/**
 * The actor of a change made outside the API (a CLI command, `serve
 * --admin-password`): `os:<login name>` of the OS account that ran it. User
 * names can't hold a colon, so an OS actor never reads as a Gatehouse user.
 */
import os from 'node:os';
import { printable } from '../util/printable.js';

export function osActor(): string {
  let name = '';
  try {
    name = os.userInfo().username;
  } catch {
    name = process.env.USER ?? process.env.USERNAME ?? '';
  }
  name = printable(name).slice(0, 64);
  return `os:${name || `uid-${typeof process.getuid === 'function' ? process.getuid() : '?'}`}`;
}
