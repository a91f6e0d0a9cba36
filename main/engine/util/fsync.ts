import fs from 'node:fs';

/** fsync a directory, so a rename into it survives a power cut (a no-op where the OS does not allow it). */
export function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* not supported here (Windows) */
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
