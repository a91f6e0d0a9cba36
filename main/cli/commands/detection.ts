/**
 * `gatehouse detection`: per-camera detection settings and the detector's
 * status. Settings are stored in config.json (`cameras[].detection`); a
 * running server applies a change within a second. The status (counters,
 * rates, objects now) comes from the running server, which writes it to
 * run/detection-status.json every 2 s; without a server it shows the settings.
 *
 *   detection set CAMERA --on|--off [--labels person,vehicle] [--fps N] [--min-score S] [--min-size PX] [--stream sub|main] [--json]
 *   detection status [CAMERA] [--json]
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../api/contract.js';
import { DetectionSettingsInput, type DetectionCameraStatus, type DetectionStatus } from '../../api/detection.js';
import { detectionSettingsOf } from '../../engine/detection/settings.js';
import { STATUS_FILE_MS, updateDetectionSettings } from '../../engine/detection/service.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, table, type Command } from '../args.js';
import { openConfig, runningServer } from '../offline.js';
import { auditCli, cameraOf, numberOf, parseLabels } from './detection-common.js';

const USAGE = `Usage:
  gatehouse detection set CAMERA [--on|--off] [--labels person,vehicle] [--fps N] [--min-score S] [--min-size PX] [--stream sub|main] [--json] [--data DIR]
  gatehouse detection status [CAMERA] [--json] [--data DIR]

Labels: person, vehicle, bicycle, motorcycle, animal. Frame rate 1-5 fps (default 2), minimum score 0.3-0.95
(default 0.5), minimum size in pixels of the camera's picture (default 0: any), the sub stream by default.
Works with or without a running server; a running server applies a change within a second.`;

const FLAG: Record<string, string> = { enabled: '--on/--off', labels: '--labels', fps: '--fps', minScore: '--min-score', minSize: '--min-size', stream: '--stream' };

async function set(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    'gatehouse detection set CAMERA [--on|--off] [--labels L,L] [--fps N] [--min-score S] [--min-size PX] [--stream sub|main] [--json] [--data DIR]',
    {
      ...dataOption,
      on: { type: 'boolean' },
      off: { type: 'boolean' },
      labels: { type: 'string' },
      fps: { type: 'string' },
      'min-score': { type: 'string' },
      'min-size': { type: 'string' },
      stream: { type: 'string' },
      json: { type: 'boolean' },
    },
    [
      { flag: '--on, --off', help: 'turn detection on or off for the camera' },
      { flag: '--labels L,L', help: 'what makes events: person, vehicle, bicycle, motorcycle, animal' },
      { flag: '--fps N', help: 'frames looked at per second, 1-5 (default 2)' },
      { flag: '--min-score S', help: 'a track makes an event once its best score reaches S, 0.3-0.95 (default 0.5)' },
      { flag: '--min-size PX', help: "smallest object: its box's longer side in pixels of the camera's picture (default 0)" },
      { flag: '--stream S', help: 'sub (default; cheaper) or main' },
      { flag: '--json', help: 'print the settings as JSON' },
      dataHelp,
    ],
    true,
  );
  if (!a) return 0;
  if (a.positionals.length !== 1) throw new CliError(`give exactly one camera (name or id)\n${USAGE}`);
  if (a.values.on && a.values.off) throw new CliError('--on and --off: give one of them');
  const patch: Record<string, unknown> = {};
  if (a.values.on) patch.enabled = true;
  if (a.values.off) patch.enabled = false;
  if (a.values.labels !== undefined) patch.labels = parseLabels(a.values.labels as string);
  if (a.values.fps !== undefined) patch.fps = numberOf(a.values.fps, '--fps');
  if (a.values['min-score'] !== undefined) patch.minScore = numberOf(a.values['min-score'], '--min-score');
  if (a.values['min-size'] !== undefined) patch.minSize = numberOf(a.values['min-size'], '--min-size');
  if (a.values.stream !== undefined) patch.stream = a.values.stream;
  if (!Object.keys(patch).length) throw new CliError(`nothing to change: give --on or --off, or a setting\n${USAGE}`);
  const r = DetectionSettingsInput.safeParse(patch);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const key = String(i.path[0] ?? '');
    const msg = key === 'stream' ? 'use sub or main' : i.message;
    throw new CliError(`${FLAG[key] ?? key}: ${msg}`);
  }
  const { store, paths } = await openConfig(dataDirOf(a.values));
  const cam = cameraOf(store.data, a.positionals[0]!);
  let settings;
  try {
    settings = await updateDetectionSettings(store, cam.id, r.data);
  } catch (err) {
    if (err instanceof ApiError) throw new CliError(err.message, err.code === 'not_found' ? 3 : 2);
    throw err;
  }
  auditCli(paths, 'detection.update', `cameraId:${cam.id}`, { params: { cameraId: cam.id, patch: r.data } });
  if (a.values.json) console.log(JSON.stringify({ cameraId: cam.id, settings }, null, 2));
  else {
    console.log(
      `Detection on "${cam.name}": ${settings.enabled ? 'on' : 'off'}, ${settings.labels.join(', ')}, ${settings.fps} fps, minimum score ${settings.minScore}, minimum size ${settings.minSize} px, ${settings.stream} stream.`,
    );
    if (runningServer(paths)) console.log('The running server applies it within a second.');
  }
  return 0;
}

/** The running server's status, when it is fresh. */
function liveStatus(root: string, pid: number | undefined): { at: string; status: DetectionStatus } | null {
  try {
    const j = JSON.parse(fs.readFileSync(path.join(root, 'run', 'detection-status.json'), 'utf8')) as { pid: number; at: string; status: DetectionStatus };
    if (pid !== undefined && j.pid !== pid) return null;
    if (Date.now() - Date.parse(j.at) > 5 * STATUS_FILE_MS) return null;
    return j;
  } catch {
    return null;
  }
}

async function status(argv: string[]): Promise<number> {
  const a = parse(argv, 'gatehouse detection status [CAMERA] [--json] [--data DIR]', { ...dataOption, json: { type: 'boolean' } }, [{ flag: '--json', help: 'print JSON' }, dataHelp], true);
  if (!a) return 0;
  const { store, paths } = await openConfig(dataDirOf(a.values));
  const only = a.positionals[0] ? cameraOf(store.data, a.positionals[0]).id : undefined;
  const server = runningServer(paths);
  const live = server ? liveStatus(paths.root, server.pid) : null;
  const cams = store.data.cameras.filter((c) => !only || c.id === only);
  const byId = new Map((live?.status.cameras ?? []).map((c) => [c.cameraId, c]));
  const rows = cams.map((c) => {
    const s = byId.get(c.id);
    const settings = detectionSettingsOf(c);
    return { cameraId: c.id, name: c.name, settings, live: s ?? null };
  });
  if (a.values.json) {
    const out = live
      ? { running: true, at: live.at, ...live.status, cameras: rows.map((r) => ({ name: r.name, ...(r.live ?? ({ cameraId: r.cameraId, settings: r.settings } as Partial<DetectionCameraStatus>)) })) }
      : { running: false, cameras: rows.map((r) => ({ cameraId: r.cameraId, name: r.name, enabled: r.settings.enabled, settings: r.settings })) };
    console.log(JSON.stringify(out, null, 2));
    return 0;
  }
  if (live) {
    const st = live.status;
    console.log(
      `Detector: ${st.ready ? 'ready' : 'not ready'}, model ${st.model} (${st.modelKind}), ${st.workers} worker(s) × ${st.threads} thread(s)` +
        `${st.msPerFrame !== null ? `, ${st.msPerFrame} ms per frame` : ''}, ${st.crashes} crash(es), ${st.restarts} restart(s)${st.error ? `; ${st.error}` : ''}`,
    );
  } else console.log(server ? 'The server is starting or does not detect yet: settings only.' : 'No server is running on this data dir: settings only (start one with "gatehouse serve").');
  console.log(
    table(
      ['CAMERA', 'ON', 'STATE', 'LABELS', 'FPS', 'SCORE', 'SIZE', 'STREAM', 'OFFERED', 'PROCESSED', 'SKIPPED', 'INFER/S', 'OBJECTS', 'ERROR'],
      rows.map((r) => {
        const s = r.live;
        return [
          r.name,
          r.settings.enabled ? 'on' : 'off',
          s ? `${s.state}${s.idle ? ' (idle)' : ''}` : '-',
          r.settings.labels.join(','),
          String(r.settings.fps),
          String(r.settings.minScore),
          String(r.settings.minSize),
          r.settings.stream,
          s ? String(s.offered) : '-',
          s ? String(s.processed) : '-',
          s ? String(s.skipped) : '-',
          s ? String(s.inferFps) : '-',
          s ? String(s.objects.length) : '-',
          s?.error ?? '',
        ];
      }),
    ),
  );
  return 0;
}

export const detectionCommand: Command = {
  name: 'detection',
  summary: 'object detection settings per camera, and the detector status (works with or without a running server)',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log(USAGE);
      return sub ? 0 : 2;
    }
    if (sub === 'set') return set(rest);
    if (sub === 'status') return status(rest);
    throw new CliError(`unknown subcommand "detection ${sub}"\n${USAGE}`);
  },
};
