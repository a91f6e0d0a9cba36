import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { resolveFfmpeg, ffmpegVersion } from '../../engine/media/ffmpeg.js';
import { assetPath } from '../../engine/paths.js';
import { dataDirOf, dataHelp, dataOption, parse, type Command } from '../args.js';
import { portOf } from './serve.js';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
  warn?: boolean;
}

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

export async function runChecks(dataDir: string, port: number, host: string): Promise<Check[]> {
  const checks: Check[] = [];
  try {
    const ff = resolveFfmpeg();
    checks.push({ name: 'ffmpeg', ok: !!ff.version, detail: `${ff.ffmpeg} (${ff.source}) version ${ff.version ?? 'unknown'}`, fix: 'reinstall ffmpeg: sudo apt-get install ffmpeg' });
    const pv = ffmpegVersion(ff.ffprobe);
    checks.push({ name: 'ffprobe', ok: !!pv, detail: `${ff.ffprobe} version ${pv ?? 'unknown'}`, fix: 'reinstall ffmpeg (ffprobe ships with it)' });
  } catch (err) {
    checks.push({ name: 'ffmpeg', ok: false, detail: 'not found', fix: (err as Error).message.replace(/^ffmpeg\/ffprobe not found\. Fix: /, '') });
  }
  const model = assetPath('models', 'yolox_nano.onnx');
  try {
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    checks.push({ name: 'detection model', ok: true, detail: `${path.basename(model)} loads (inputs ${session.inputNames.join(',')})` });
    await session.release?.();
  } catch (err) {
    checks.push({
      name: 'detection model',
      ok: false,
      detail: (err as Error).message.split('\n')[0]!,
      fix: fs.existsSync(model) ? 'reinstall onnxruntime-node: npm rebuild onnxruntime-node' : `the model file is missing at ${model}; reinstall Gatehouse`,
    });
  }
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    const probe = path.join(dataDir, `.doctor-${process.pid}`);
    fs.writeFileSync(probe, 'ok');
    fs.rmSync(probe);
    checks.push({ name: 'data dir', ok: true, detail: `${dataDir} is writable` });
  } catch (err) {
    checks.push({ name: 'data dir', ok: false, detail: `${dataDir}: ${(err as Error).message}`, fix: `choose a writable folder with --data DIR, or fix its permissions (chown $USER ${dataDir})` });
  }
  try {
    const st = fs.statfsSync(fs.existsSync(dataDir) ? dataDir : path.dirname(dataDir));
    const free = st.bavail * st.bsize;
    const gb = free / 1e9;
    checks.push({
      name: 'free disk',
      ok: gb >= 2,
      warn: gb >= 2 && gb < 20,
      detail: `${gb.toFixed(1)} GB free on the data dir's volume`,
      fix: 'free some space or move the data dir to a larger disk (--data DIR); recording needs several GB a camera-day',
    });
  } catch (err) {
    checks.push({ name: 'free disk', ok: false, detail: (err as Error).message, fix: 'check that the data dir exists' });
  }
  const free = await portFree(port, host);
  checks.push({ name: 'port', ok: free, detail: `${host}:${port} is ${free ? 'free' : 'in use (a running Gatehouse, or another program)'}`, fix: 'stop what uses it, or pick another with --port N' });
  return checks;
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check ffmpeg, the detection model, the data dir, disk space and the port',
  async run(argv) {
    const a = parse(
      argv,
      'gatehouse doctor [--data DIR] [--port N] [--host ADDR] [--json]',
      { ...dataOption, port: { type: 'string' }, host: { type: 'string' }, json: { type: 'boolean' } },
      [dataHelp, { flag: '--port N', help: 'port to check (default 8780)' }, { flag: '--host ADDR', help: 'address to check (default 127.0.0.1)' }, { flag: '--json', help: 'print JSON' }],
    );
    if (!a) return 0;
    const checks = await runChecks(dataDirOf(a.values), portOf(a.values.port), (a.values.host as string | undefined) ?? '127.0.0.1');
    if (a.values.json) console.log(JSON.stringify(checks, null, 2));
    else {
      for (const c of checks) {
        const mark = !c.ok ? 'FAIL' : c.warn ? 'WARN' : ' ok ';
        console.log(`[${mark}] ${c.name.padEnd(16)} ${c.detail}`);
        if ((!c.ok || c.warn) && c.fix) console.log(`       ${''.padEnd(16)} fix: ${c.fix}`);
      }
    }
    return checks.every((c) => c.ok) ? 0 : 1;
  },
};
