/**
 * `gatehouse masks`: privacy, motion and object masks of the cameras
 * (polygons in 0–1 picture coordinates, stored in config.json). A running
 * server picks up a change within a second.
 *
 *   masks add CAMERA --kind privacy|motion|object --polygon "x,y x,y x,y ..." [--name TEXT] [--json]
 *   masks list [CAMERA] [--kind K] [--json]
 *   masks remove ID
 */
import { ApiError } from '../../api/contract.js';
import { MASK_KINDS, polygonProblems, type MaskKind, type Point } from '../../api/masks.js';
import { findCamera } from '../../engine/cameras/catalog.js';
import { addMask, listMasks, removeMask } from '../../engine/masks/store.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, table, type Command } from '../args.js';
import { auditCli } from '../audit-cli.js';
import { openConfig, runningServer } from '../offline.js';

const USAGE = `Usage:
  gatehouse masks add CAMERA --kind privacy|motion|object --polygon "x,y x,y x,y ..." [--name TEXT] [--json] [--data DIR]
  gatehouse masks list [CAMERA] [--kind K] [--json] [--data DIR]
  gatehouse masks remove ID [--data DIR]

Coordinates are fractions of the picture, 0 to 1, from its top left corner: "0.1,0.1 0.4,0.1 0.4,0.5".
A polygon has 3 to 64 points and must not cross itself. Privacy masks are drawn over the video in the
console and burned into exports; motion and object masks are for detection.`;

/** "x,y x,y x,y" → points, with a message naming the point that is wrong. */
export function parsePolygon(text: string): Point[] {
  const parts = text.trim().split(/\s+/).filter(Boolean);
  const pts = parts.map((p, i) => {
    const m = /^(-?[0-9]*\.?[0-9]+(?:e-?\d+)?),(-?[0-9]*\.?[0-9]+(?:e-?\d+)?)$/i.exec(p);
    if (!m) throw new CliError(`--polygon: point ${i + 1} "${p}" is not x,y (two numbers with a comma, no space), e.g. 0.25,0.4`);
    return [Number(m[1]), Number(m[2])] as Point;
  });
  const problem = polygonProblems(pts)[0];
  if (problem) throw new CliError(`--polygon: ${problem.message}`);
  return pts;
}

function kindOf(v: unknown): MaskKind {
  if (typeof v !== 'string' || !(MASK_KINDS as readonly string[]).includes(v)) throw new CliError(`--kind must be one of ${MASK_KINDS.join(', ')}`);
  return v as MaskKind;
}

const fmt = (poly: Point[]) => poly.map(([x, y]) => `${+x.toFixed(4)},${+y.toFixed(4)}`).join(' ');

export const masksCommand: Command = {
  name: 'masks',
  summary: 'privacy, motion and object masks of cameras (works with or without a running server)',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log(USAGE);
      return sub ? 0 : 2;
    }
    const wrap = <T>(p: Promise<T>) =>
      p.catch((err: unknown) => {
        throw err instanceof ApiError ? new CliError(err.message, err.code === 'not_found' ? 3 : 2) : err;
      });
    if (sub === 'add') {
      const a = parse(
        rest,
        'gatehouse masks add CAMERA --kind privacy|motion|object --polygon "x,y x,y x,y ..." [--name TEXT] [--json] [--data DIR]',
        { ...dataOption, kind: { type: 'string' }, polygon: { type: 'string' }, name: { type: 'string' }, json: { type: 'boolean' } },
        [
          { flag: '--kind K', help: 'privacy (blacked out for guards and in exports), motion or object (detection)' },
          { flag: '--polygon "x,y ..."', help: '3 to 64 points, each 0-1 from the picture\'s top left' },
          { flag: '--name TEXT', help: 'what it hides, e.g. "neighbour\'s window"' },
          { flag: '--json', help: 'print the mask as JSON' },
          dataHelp,
        ],
        true,
      );
      if (!a) return 0;
      if (a.positionals.length !== 1) throw new CliError(`give exactly one camera (name or id)\n${USAGE}`);
      const kind = kindOf(a.values.kind);
      if (!a.values.polygon) throw new CliError('--polygon is required, e.g. --polygon "0.1,0.1 0.4,0.1 0.4,0.5"');
      const polygon = parsePolygon(a.values.polygon as string);
      const name = (a.values.name as string | undefined)?.trim();
      if (name && name.length > 64) throw new CliError('--name is longer than 64 characters');
      const { store, paths } = await openConfig(dataDirOf(a.values));
      const cam = findCamera(store.data.cameras, a.positionals[0]!);
      if (!cam) throw new CliError(`no camera named "${a.positionals[0]}"; see "gatehouse cameras list"`, 3);
      const m = await wrap(addMask(store, { cameraId: cam.id, kind, ...(name ? { name } : {}), polygon }));
      auditCli(paths, { action: 'masks.add', target: `cameraId:${cam.id}`, details: { id: m.id, kind, name: m.name ?? null, polygon } }, store.data);
      if (a.values.json) console.log(JSON.stringify(m, null, 2));
      else {
        console.log(`Added ${kind} mask ${m.id} to "${cam.name}" (${polygon.length} points).`);
        if (runningServer(paths)) console.log('The running server uses it within a second.');
      }
      return 0;
    }
    if (sub === 'list') {
      const a = parse(rest, 'gatehouse masks list [CAMERA] [--kind K] [--json] [--data DIR]', { ...dataOption, kind: { type: 'string' }, json: { type: 'boolean' } }, [{ flag: '--kind K', help: 'only this kind' }, { flag: '--json', help: 'print JSON' }, dataHelp], true);
      if (!a) return 0;
      const { store } = await openConfig(dataDirOf(a.values));
      let cameraId: string | undefined;
      if (a.positionals[0]) {
        const cam = findCamera(store.data.cameras, a.positionals[0]);
        if (!cam) throw new CliError(`no camera named "${a.positionals[0]}"; see "gatehouse cameras list"`, 3);
        cameraId = cam.id;
      }
      const masks = listMasks(store.data, { cameraId, kind: a.values.kind ? kindOf(a.values.kind) : undefined });
      if (a.values.json) console.log(JSON.stringify(masks, null, 2));
      else if (!masks.length) console.log('No masks. Add one with: gatehouse masks add CAMERA --kind privacy --polygon "x,y x,y x,y"');
      else console.log(table(['ID', 'CAMERA', 'KIND', 'NAME', 'POINTS', 'POLYGON'], masks.map((m) => [m.id, m.cameraId, m.kind, m.name ?? '-', String(m.polygon.length), fmt(m.polygon)])));
      return 0;
    }
    if (sub === 'remove') {
      const a = parse(rest, 'gatehouse masks remove ID [--data DIR]', { ...dataOption }, [dataHelp], true);
      if (!a) return 0;
      if (a.positionals.length !== 1) throw new CliError(`give exactly one mask id (see "gatehouse masks list")\n${USAGE}`);
      const { store, paths } = await openConfig(dataDirOf(a.values));
      const m = await wrap(removeMask(store, a.positionals[0]!));
      auditCli(paths, { action: 'masks.remove', target: `cameraId:${m.cameraId}`, details: { id: m.id, kind: m.kind, name: m.name ?? null, polygon: m.polygon } }, store.data);
      console.log(`Removed ${m.kind} mask ${m.id} of ${m.cameraId}.`);
      return 0;
    }
    throw new CliError(`unknown subcommand "masks ${sub}"\n${USAGE}`);
  },
};
