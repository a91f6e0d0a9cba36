// The simulated cameras: one RTSP fixture server (test/fixtures/rtsp.ts) with
// N mounts /cam01..camNN, each a live 1080p H.264 stream (~2 Mb/s, 25 fps).

import fs from 'node:fs';
import * as fixtures from './fixtures.mjs';

function childPidsMatching(parent, needle) {
  const out = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parent) continue;
      const cmd = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle)) out.push(Number(name));
    } catch {
      /* gone */
    }
  }
  return out;
}

export async function startCameras(ctx, count) {
  const { clip1080pH264 } = await fixtures.media();
  ctx.log('preparing the 1080p clip (made once, then cached in test/fixtures/.cache)…');
  const clip = await clip1080pH264();
  const { startRtspServer } = await fixtures.rtsp();
  const names = Array.from({ length: count }, (_, i) => `cam${String(i + 1).padStart(2, '0')}`);
  const mounts = Object.fromEntries(names.map((n) => [`/${n}`, { file: clip, codec: 'h264' }]));
  const port = await fixtures.pickPort(ctx.ports.from, ctx.ports.to, ctx.ports.taken);
  ctx.log(`starting the RTSP fixture with ${count} mounts on port ${port}…`);
  const server = await startRtspServer({ port, mounts });
  const pid = childPidsMatching(process.pid, `--port ${port}`)[0] ?? null;
  ctx.onCleanup(() => server.close());
  return { server, port, pid, clip, names, urls: names.map((n) => server.url(`/${n}`)) };
}
