// Recording cost: Gatehouse (engine process + all its ffmpeg children) against
// bare `ffmpeg -c copy -f segment` recorders, same cameras, same machine, same
// run. Figure: engine CPU / bare CPU.

import { measureBare } from '../lib/bare.mjs';
import { figure } from '../lib/report.mjs';

export default {
  name: 'recording',
  order: 10,
  title: 'Recording cost: Gatehouse vs bare ffmpeg',
  description: 'CPU of the engine and its ffmpeg children over CPU of one bare ffmpeg -c copy -f segment per camera',
  async run(ctx) {
    const o = ctx.opts;
    const cams = await ctx.cameras();
    const before = await measureBare(ctx, cams, { warmS: o.baselineWarm, windowS: o.baseline, label: 'before' });
    const eng = await ctx.engineRun();
    const after = o.rebaseline > 0 ? await measureBare(ctx, cams, { warmS: o.baselineWarm, windowS: o.rebaseline, label: 'after' }) : null;

    const bareCpu = after ? (before.cpuPct * before.seconds + after.cpuPct * after.seconds) / (before.seconds + after.seconds) : before.cpuPct;
    const ratio = eng.cpuPct / bareCpu;
    const bytesRatio = eng.bytesPerSecond / before.bytesPerSecond;
    const pct = (v) => (v === null || v === undefined ? 'n/a' : `${v.toFixed(1)} %`);

    const lines = [
      `${cams.names.length} cameras, 1080p H.264 ~2 Mb/s 25 fps, RTSP over TCP from one GStreamer fixture (${cams.clip.split('/').pop()})`,
      `CPU in % of one core (this machine has ${ctx.cores} cores). The RTSP server's own CPU is measured apart and not in either figure.`,
      '',
      `bare ffmpeg, before:  ${pct(before.cpuPct)} over ${before.seconds.toFixed(0)} s  (${pct(before.perCameraPct)}/camera, ${before.alive}/${before.recorders} alive, ${(before.bytesPerSecond / 1e6).toFixed(2)} MB/s written; RTSP server ${pct(before.serverCpuPct)}, machine busy ${pct(before.machineBusyPct)})`,
      ...(after
        ? [`bare ffmpeg, after:   ${pct(after.cpuPct)} over ${after.seconds.toFixed(0)} s  (${after.alive}/${after.recorders} alive; RTSP server ${pct(after.serverCpuPct)}, machine busy ${pct(after.machineBusyPct)})`]
        : []),
      `Gatehouse (${eng.engine}): ${pct(eng.cpuPct)} over ${eng.window.seconds.toFixed(0)} s  (node ${pct(eng.nodeCpuPct)} + ${eng.procs - 1} children ${pct(eng.cpuPct - eng.nodeCpuPct)}, ${(eng.bytesPerSecond / 1e6).toFixed(2)} MB/s written; RTSP server ${pct(eng.serverCpuPct)}, machine busy ${pct(eng.machineBusyPct)})`,
      `cameras reporting "recording": all ${eng.startup.allRecordingAfterReadyS === null ? 'never' : `after ${eng.startup.allRecordingAfterReadyS.toFixed(1)} s`}; lowest count in the window ${eng.minRecordingInWindow ?? 'n/a'}/${eng.cameras}`,
    ];
    const figures = [
      figure('recorder CPU / bare ffmpeg CPU', ratio, '×', { op: '<=', value: 1.15 }),
      figure(
        'bytes written: recorder / bare',
        bytesRatio,
        '×',
        undefined,
        'sanity check: ~1.0 means the engine recorded the same streams (a recorder that records nothing would look cheap)',
      ),
    ];
    if (after) figures.push(figure('baseline drift: after / before', after.cpuPct / before.cpuPct, '×', undefined, 'how much the machine changed during the run; far from 1.0 means a noisy run'));
    return { lines, figures, details: { before, after, engine: { ...eng, perCamera: undefined, logTail: undefined } } };
  },
};
