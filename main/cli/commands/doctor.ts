import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { resolveFfmpeg, ffmpegVersion } from '../../engine/media/ffmpeg.js';
import { assetPath, DataPaths, packageRoot } from '../../engine/paths.js';
import { MODEL_FILES } from '../../engine/detection/models.js';
import { parseConfigText } from '../../engine/config/store.js';
import { dataDirOf, dataHelp, dataOption, parse, type Command } from '../args.js';
import { runningServer } from '../offline.js';
import { portOf } from './serve.js';

/** One check. Every failure (and warning) carries a one-line fix. */
export interface Check {
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

/** Node version check: the engine needs >= 20.19 (require(esm), fs.statfs, stable fetch/WebSocket clients). */
export function nodeCheck(version = process.versions.node): Check {
  const [maj = 0, min = 0] = version.split('.').map(Number);
  const ok = maj > 20 || (maj === 20 && min >= 19);
  return { name: 'node', ok, detail: `Node ${version}${ok ? '' : ' is too old (Gatehouse needs 20.19 or newer)'}`, fix: 'install Node 20.19+ or 22 LTS (https://nodejs.org, or your package manager) and run again' };
}

/** The config file parses (read-only: doctor never writes it). */
export function configCheck(file: string): Check {
  if (!fs.existsSync(file)) return { name: 'config', ok: true, detail: `${file} does not exist yet (created on first start)` };
  try {
    const { config, migratedFrom } = parseConfigText(file, fs.readFileSync(file, 'utf8'));
    const note = migratedFrom !== null ? `; schema ${migratedFrom} is migrated on the next start (a backup is kept)` : '';
    return { name: 'config', ok: true, detail: `${file}: ${config.cameras.length} camera(s), ${config.users.length} user(s)${note}` };
  } catch (err) {
    const msg = (err as Error).message;
    const i = msg.indexOf('. Fix: ');
    return { name: 'config', ok: false, detail: i >= 0 ? msg.slice(0, i) : msg, fix: i >= 0 ? msg.slice(i + 7) : `correct ${file} by hand, or move it away to start with an empty configuration` };
  }
}

export async function runChecks(dataDir: string, port: number, host: string): Promise<Check[]> {
  const checks: Check[] = [nodeCheck()];
  try {
    const ff = resolveFfmpeg();
    checks.push({
      name: 'ffmpeg',
      ok: !!ff.version,
      detail: `${ff.ffmpeg} (${ff.source}) ${ff.version ? `version ${ff.version}` : 'does not run'}`,
      fix: 'reinstall ffmpeg (Debian/Ubuntu: sudo apt-get install --reinstall ffmpeg; macOS: brew reinstall ffmpeg), or set GATEHOUSE_FFMPEG to a working one',
    });
    const pv = ffmpegVersion(ff.ffprobe);
    checks.push({ name: 'ffprobe', ok: !!pv, detail: `${ff.ffprobe} ${pv ? `version ${pv}` : 'does not run'}`, fix: 'reinstall ffmpeg (ffprobe ships with it), or set GATEHOUSE_FFPROBE to a working ffprobe' });
  } catch (err) {
    checks.push({ name: 'ffmpeg', ok: false, detail: 'not found', fix: (err as Error).message.replace(/^ffmpeg\/ffprobe not found\. Fix: /, '') });
  }
  const model = assetPath('models', MODEL_FILES.float);
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
  const paths = new DataPaths(dataDir);
  checks.push(configCheck(paths.config));
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
    checks.push({ name: 'free disk', ok: false, detail: (err as Error).message, fix: 'check that the data dir exists and is readable' });
  }
  const src = path.join(packageRoot(), 'main');
  const consoleIndex = path.join(packageRoot(), 'dist', 'renderer', 'index.html');
  if (!fs.existsSync(consoleIndex)) {
    checks.push({
      name: 'console',
      ok: true,
      warn: true,
      detail: `the console is not built (${consoleIndex} is missing): the server answers 503 for it`,
      fix: fs.existsSync(src) ? 'run "npm run build" in the clone' : 'reinstall Gatehouse',
    });
  } else checks.push({ name: 'console', ok: true, detail: 'built' });
  const free = await portFree(port, host);
  const mine = runningServer(paths);
  const ours = !free && mine?.url ? new URL(mine.url).port === String(port) : false;
  checks.push({
    name: 'port',
    ok: free || ours,
    warn: ours,
    detail: `${host}:${port} is ${free ? 'free' : ours ? `used by the Gatehouse already running on this data dir (pid ${mine!.pid})` : 'in use by another program (or a Gatehouse on another data dir)'}`,
    fix: ours ? 'nothing to do if that is the server you want; stop it (Ctrl+C) before starting another' : 'stop what uses it, or pick another with --port N',
  });
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
