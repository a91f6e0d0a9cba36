// CPU accounting from /proc: utime+stime of a process, or of a whole process
// tree, in clock ticks. A tree's total also counts cutime+cstime, so a child
// that exits inside a window still counts: its time moves into its parent's
// cutime when it is reaped.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let clkTck = 100;
try {
  clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  /* Linux default */
}
export const CLK_TCK = clkTck;

/** Parsed /proc/<pid>/stat, or null if the process is gone. */
export function procStat(pid) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm may contain spaces and parentheses: fields start after the last ')'
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); field n is rest[n - 3]
  return {
    pid,
    state: rest[0],
    ppid: Number(rest[1]),
    utime: Number(rest[11]),
    stime: Number(rest[12]),
    cutime: Number(rest[13]),
    cstime: Number(rest[14]),
  };
}

/** Ticks used by one process itself (not its children). */
export function selfTicks(pid) {
  const s = procStat(pid);
  return s ? s.utime + s.stime : 0;
}

function allStats() {
  const out = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = procStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

/** Pids of `root` and all its live descendants. */
export function treePids(root) {
  const stats = allStats();
  const kids = new Map();
  for (const s of stats) {
    if (!kids.has(s.ppid)) kids.set(s.ppid, []);
    kids.get(s.ppid).push(s);
  }
  const seen = new Set();
  const out = [];
  const walk = (pid) => {
    if (seen.has(pid)) return;
    seen.add(pid);
    out.push(pid);
    for (const k of kids.get(pid) ?? []) walk(k.pid);
  };
  if (stats.some((s) => s.pid === root)) walk(root);
  return out;
}

/**
 * Ticks used by a set of process trees: Σ (utime+stime+cutime+cstime) over
 * every live process in the trees. Also returns how many processes there were.
 */
export function treeTicks(roots) {
  const stats = allStats();
  const byPid = new Map(stats.map((s) => [s.pid, s]));
  const kids = new Map();
  for (const s of stats) {
    if (!kids.has(s.ppid)) kids.set(s.ppid, []);
    kids.get(s.ppid).push(s.pid);
  }
  const seen = new Set();
  let ticks = 0;
  const walk = (pid) => {
    if (seen.has(pid)) return;
    const s = byPid.get(pid);
    if (!s) return;
    seen.add(pid);
    ticks += s.utime + s.stime + s.cutime + s.cstime;
    for (const k of kids.get(pid) ?? []) walk(k);
  };
  for (const r of roots) walk(r);
  return { ticks, procs: seen.size };
}

/**
 * Measure CPU of process trees over a window: `const m = cpuMeter(() => [pid...]);
 * ... const r = m.stop()` gives { cpuPct (% of one core), seconds, procs }.
 * `roots` is a function so the set may change (e.g. restarted children).
 */
export function cpuMeter(roots) {
  const t0 = process.hrtime.bigint();
  const a = treeTicks(roots());
  return {
    stop() {
      const b = treeTicks(roots());
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpuSeconds = (b.ticks - a.ticks) / CLK_TCK;
      return { cpuPct: (100 * cpuSeconds) / seconds, cpuSeconds, seconds, procs: b.procs };
    },
  };
}

/** CPU of this machine as a whole over the window (from /proc/stat), % of one core. */
export function machineMeter() {
  const read = () => {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = (line[3] ?? 0) + (line[4] ?? 0);
    const total = line.reduce((x, y) => x + y, 0);
    return { busy: total - idle, total };
  };
  const a = read();
  const t0 = process.hrtime.bigint();
  return {
    stop() {
      const b = read();
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      return { busyPct: (100 * (b.busy - a.busy)) / CLK_TCK / seconds, seconds };
    },
  };
}

/**
 * For a fixed set of leaf processes (no children of their own, e.g. bare
 * ffmpeg recorders started by the bench): sample every second and keep each
 * pid's last seen ticks, so one that exits inside the window still counts up
 * to its last sample.
 */
export function leafMeter(pids) {
  const first = new Map();
  const last = new Map();
  for (const p of pids) {
    const t = selfTicks(p);
    first.set(p, t);
    last.set(p, t);
  }
  const t0 = process.hrtime.bigint();
  const sample = () => {
    for (const p of pids) {
      const s = procStat(p);
      if (s) last.set(p, s.utime + s.stime);
    }
  };
  const timer = setInterval(sample, 1000);
  return {
    alive: () => pids.filter((p) => procStat(p) !== null && procStat(p).state !== 'Z').length,
    stop() {
      sample();
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      let ticks = 0;
      for (const p of pids) ticks += (last.get(p) ?? 0) - (first.get(p) ?? 0);
      const cpuSeconds = ticks / CLK_TCK;
      return { cpuPct: (100 * cpuSeconds) / seconds, cpuSeconds, seconds, procs: pids.length };
    },
  };
}
