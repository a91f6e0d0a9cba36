// The baseline recorder: one bare ffmpeg per camera doing only what a
// recorder must do (RTSP over TCP in, stream copy, fragmented-MP4 segments of
// the engine's segment length, a segment list). Nothing else: no live output,
// no index, no supervision.

import fs from 'node:fs';
import path from 'node:path';
import { leafMeter, machineMeter, selfTicks, CLK_TCK } from './cpu.mjs';
import { dirBytes, tempDir } from './paths.mjs';
import { sleep, spawnTracked, stopTracked } from './procs.mjs';

export function bareArgs(url, dir, segmentSeconds) {
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    '-rtsp_transport', 'tcp', '-i', url,
    '-map', '0:v', '-c', 'copy',
    '-f', 'segment', '-segment_time', String(segmentSeconds), '-segment_format', 'mp4',
    '-segment_format_options', 'movflags=+frag_keyframe+empty_moov+default_base_moof:frag_duration=500000:flush_packets=1',
    '-reset_timestamps', '1',
    '-segment_list', path.join(dir, 'list.csv'), '-segment_list_type', 'csv',
    path.join(dir, '%06d.mp4'),
  ];
}

/**
 * Run `cams.urls.length` bare recorders; after `warmS` measure their CPU (and,
 * separately, the RTSP server's and the whole machine's) for `windowS`.
 */
export async function measureBare(ctx, cams, { warmS, windowS, label, segmentSeconds = 10 }) {
  const root = tempDir(`bare-${label}`);
  const ffmpeg = ctx.ffmpeg;
  const procs = cams.urls.map((url, i) => {
    const dir = path.join(root, cams.names[i]);
    fs.mkdirSync(dir, { recursive: true });
    const child = spawnTracked(ffmpeg, bareArgs(url, dir, segmentSeconds), { stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    child.stderr.on('data', (d) => (tail = (tail + d).slice(-2000)));
    child.on('exit', (code, sig) => {
      if (!child.stopping) ctx.log(`  bare recorder ${cams.names[i]} exited (${sig ?? code}): ${tail.trim().split('\n').pop() ?? ''}`);
    });
    return child;
  });
  try {
    ctx.log(`baseline "${label}": ${procs.length} bare ffmpeg recorders, warm-up ${warmS} s, window ${windowS} s…`);
    await sleep(warmS * 1000);
    const pids = procs.map((p) => p.pid);
    const bytes0 = dirBytes(root);
    const meter = leafMeter(pids);
    const srvTicks0 = cams.pid ? selfTicks(cams.pid) : 0;
    const mach = machineMeter();
    const t0 = Date.now();
    await sleep(windowS * 1000);
    const cpu = meter.stop();
    const machine = mach.stop();
    const seconds = (Date.now() - t0) / 1000;
    const serverCpuPct = cams.pid ? (100 * (selfTicks(cams.pid) - srvTicks0)) / CLK_TCK / seconds : null;
    const bytes = dirBytes(root) - bytes0;
    const alive = meter.alive();
    return {
      label,
      recorders: procs.length,
      alive,
      cpuPct: cpu.cpuPct,
      perCameraPct: cpu.cpuPct / procs.length,
      serverCpuPct,
      machineBusyPct: machine.busyPct,
      seconds,
      bytesPerSecond: bytes / seconds,
    };
  } finally {
    await Promise.all(
      procs.map((p) => {
        p.stopping = true;
        return stopTracked(p, 3000);
      }),
    );
    fs.rmSync(root, { recursive: true, force: true });
  }
}
