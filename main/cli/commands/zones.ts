/**
 * `gatehouse zones`: detection zones of the cameras (polygons in 0-1 picture
 * coordinates, stored in config.json). A running server picks up a change
 * within a second.
 *
 *   zones add CAMERA --name NAME --polygon "x,y x,y x,y ..." [--labels person,vehicle] [--dwell S] [--inertia N] [--json]
 *   zones list [CAMERA] [--json]
 *   zones remove ID|NAME [--camera CAMERA]
 */
import { ApiError } from '../../api/contract.js';
import { addZone, listZones, removeZone } from '../../engine/zones/store.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, table, type Command } from '../args.js';
import { openConfig, runningServer } from '../offline.js';
import { auditCli, cameraOf, numberOf, parseLabels } from './detection-common.js';
import { parsePolygon } from './masks.js';

const USAGE = `Usage:
  gatehouse zones add CAMERA --name NAME --polygon "x,y x,y x,y ..." [--labels person,vehicle] [--dwell S] [--inertia N] [--json] [--data DIR]
  gatehouse zones list [CAMERA] [--json] [--data DIR]
  gatehouse zones remove ID|NAME [--camera CAMERA] [--data DIR]

Coordinates are fractions of the picture, 0 to 1, from its top left corner: "0.1,0.5 0.6,0.5 0.6,0.9 0.1,0.9".
An object is in a zone when the middle of its box's bottom edge (where it stands) is. --dwell S: seconds inside
before the zone's "dwell" (loitering) event (default 0); --inertia N: detection frames inside before "enter" and
outside before "leave" (default 3). Zone names are unique per camera; rules name zones.`;

const fmt = (poly: [number, number][]) => poly.map(([x, y]) => `${+x.toFixed(4)},${+y.toFixed(4)}`).join(' ');

function wrap<T>(p: Promise<T>): Promise<T> {
  return p.catch((err: unknown) => {
    throw err instanceof ApiError ? new CliError(err.message.replace(/^(\w+):/, (_m, f: string) => `--${{ polygon: 'polygon', name: 'name', minDwellSeconds: 'dwell', inertiaFrames: 'inertia', labels: 'labels' }[f] ?? f}:`), err.code === 'not_found' ? 3 : 2) : err;
  });
}

async function add(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    'gatehouse zones add CAMERA --name NAME --polygon "x,y x,y x,y ..." [--labels L,L] [--dwell S] [--inertia N] [--json] [--data DIR]',
    { ...dataOption, name: { type: 'string' }, polygon: { type: 'string' }, labels: { type: 'string' }, dwell: { type: 'string' }, inertia: { type: 'string' }, json: { type: 'boolean' } },
    [
      { flag: '--name NAME', help: 'what guards and rules call it, e.g. "Driveway" (unique on the camera)' },
      { flag: '--polygon "x,y ..."', help: "3 to 64 points, each 0-1 from the picture's top left" },
      { flag: '--labels L,L', help: 'only these objects (person, vehicle, bicycle, motorcycle, animal); default all' },
      { flag: '--dwell S', help: 'seconds inside before the dwell (loitering) event, default 0' },
      { flag: '--inertia N', help: 'detection frames inside before enter / outside before leave, 1-20, default 3' },
      { flag: '--json', help: 'print the zone as JSON' },
      dataHelp,
    ],
    true,
  );
  if (!a) return 0;
  if (a.positionals.length !== 1) throw new CliError(`give exactly one camera (name or id)\n${USAGE}`);
  const name = (a.values.name as string | undefined)?.trim();
  if (!name) throw new CliError('--name is required, e.g. --name "Driveway"');
  if (!a.values.polygon) throw new CliError('--polygon is required, e.g. --polygon "0.1,0.5 0.6,0.5 0.6,0.9 0.1,0.9"');
  const polygon = parsePolygon(a.values.polygon as string);
  const labels = a.values.labels !== undefined ? parseLabels(a.values.labels as string) : undefined;
  const minDwellSeconds = numberOf(a.values.dwell, '--dwell');
  const inertiaFrames = numberOf(a.values.inertia, '--inertia');
  const { store, paths } = await openConfig(dataDirOf(a.values));
  const cam = cameraOf(store.data, a.positionals[0]!);
  const z = await wrap(addZone(store, cam.id, { name, polygon, labels, minDwellSeconds, inertiaFrames }));
  auditCli(paths, 'zones.add', `cameraId:${cam.id}`, { params: { cameraId: cam.id, name, polygon, labels, minDwellSeconds, inertiaFrames }, id: z.id });
  if (a.values.json) console.log(JSON.stringify(z, null, 2));
  else {
    console.log(`Added zone ${z.id} "${z.name}" to "${cam.name}" (${polygon.length} points, ${z.labels.length ? z.labels.join(', ') : 'every label'}, dwell ${z.minDwellSeconds} s, inertia ${z.inertiaFrames}).`);
    if (runningServer(paths)) console.log('The running server uses it within a second.');
  }
  return 0;
}

async function list(argv: string[]): Promise<number> {
  const a = parse(argv, 'gatehouse zones list [CAMERA] [--json] [--data DIR]', { ...dataOption, json: { type: 'boolean' } }, [{ flag: '--json', help: 'print JSON' }, dataHelp], true);
  if (!a) return 0;
  const { store } = await openConfig(dataDirOf(a.values));
  const cameraId = a.positionals[0] ? cameraOf(store.data, a.positionals[0]).id : undefined;
  const zones = listZones(store.data, { cameraId });
  if (a.values.json) console.log(JSON.stringify(zones, null, 2));
  else if (!zones.length) console.log('No zones. Add one with: gatehouse zones add CAMERA --name NAME --polygon "x,y x,y x,y"');
  else
    console.log(
      table(
        ['ID', 'CAMERA', 'NAME', 'LABELS', 'DWELL', 'INERTIA', 'POLYGON'],
        zones.map((z) => [z.id, z.cameraId, z.name, z.labels.length ? z.labels.join(',') : 'all', `${z.minDwellSeconds} s`, String(z.inertiaFrames), fmt(z.polygon)]),
      ),
    );
  return 0;
}

async function remove(argv: string[]): Promise<number> {
  const a = parse(argv, 'gatehouse zones remove ID|NAME [--camera CAMERA] [--data DIR]', { ...dataOption, camera: { type: 'string' } }, [{ flag: '--camera CAMERA', help: 'the camera, when several have a zone of that name' }, dataHelp], true);
  if (!a) return 0;
  if (a.positionals.length !== 1) throw new CliError(`give exactly one zone id or name (see "gatehouse zones list")\n${USAGE}`);
  const { store, paths } = await openConfig(dataDirOf(a.values));
  const cam = a.values.camera ? cameraOf(store.data, a.values.camera as string).id : undefined;
  const z = await wrap(removeZone(store, a.positionals[0]!, cam));
  auditCli(paths, 'zones.remove', `cameraId:${z.cameraId}`, { params: { id: z.id }, name: z.name });
  console.log(`Removed zone ${z.id} "${z.name}" of ${z.cameraId}.`);
  return 0;
}

export const zonesCommand: Command = {
  name: 'zones',
  summary: 'detection zones of cameras (works with or without a running server)',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log(USAGE);
      return sub ? 0 : 2;
    }
    if (sub === 'add') return add(rest);
    if (sub === 'list') return list(rest);
    if (sub === 'remove') return remove(rest);
    throw new CliError(`unknown subcommand "zones ${sub}"\n${USAGE}`);
  },
};
