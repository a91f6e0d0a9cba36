// Coverage: of the measured window's wall-clock seconds, how many are in a
// recorded segment, per camera (from `gatehouse recordings list --json`).

import { figure, table } from '../lib/report.mjs';

export default {
  name: 'coverage',
  order: 20,
  title: 'Coverage: recorded seconds / wall seconds',
  description: 'union of indexed segments inside the measured window, per camera',
  async run(ctx) {
    const eng = await ctx.engineRun();
    const ok = eng.perCamera.filter((c) => !c.error);
    const failed = eng.perCamera.filter((c) => c.error);
    const cov = ok.map((c) => c.coverage).sort((a, b) => a - b);
    const mean = cov.length ? cov.reduce((a, b) => a + b, 0) / cov.length : NaN;
    const worst = cov.length ? cov[0] : NaN;
    const worstCams = [...ok].sort((a, b) => a.coverage - b.coverage).slice(0, 5);
    const gaps = ok.flatMap((c) => c.gapsInWindow.map((g) => ({ ...g, camera: c.name })));
    const firsts = ok.map((c) => c.firstSegmentAfterReadyS).filter((v) => v !== null).sort((a, b) => a - b);

    const lines = [
      `window ${eng.window.seconds.toFixed(0)} s, starting ${ctx.opts.engineWarm} s after the engine answered /api/health; ${eng.cameras} cameras`,
      `first segment starts ${firsts.length ? `${firsts[0].toFixed(1)}–${firsts[firsts.length - 1].toFixed(1)} s` : 'never'} after the engine was ready`,
      `gaps in the index inside the window: ${gaps.length}${gaps.length ? ` (${[...new Set(gaps.map((g) => g.reason))].join(', ')})` : ''}`,
    ];
    if (failed.length) lines.push(`recordings list failed for ${failed.length} camera(s): ${failed[0].error}`);
    if (ok.length) {
      lines.push('', 'lowest coverage:');
      lines.push(
        ...table(
          ['CAMERA', 'COVERAGE', 'SEGMENTS', 'GAPS'],
          worstCams.map((c) => [c.name, `${(100 * c.coverage).toFixed(3)} %`, c.segments, c.gapsInWindow.length]),
        )
          .split('\n')
          .map((l) => `  ${l}`),
      );
    }
    return {
      lines,
      figures: [
        figure('coverage, worst camera', 100 * worst, '%', { op: '>=', value: 99.9 }),
        figure('coverage, mean over cameras', 100 * mean, '%', { op: '>=', value: 99.9 }),
      ],
      details: { window: eng.window, perCamera: eng.perCamera },
    };
  },
};
