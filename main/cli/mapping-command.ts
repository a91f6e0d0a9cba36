/**
 * `gatehouse doors` and `gatehouse sensors`: which cameras watch a door (the
 * `door` of badge messages, or a door sensor's id) or a sensor, in the alarm
 * setup of config.json. Their alarms and access-log rows link that footage.
 * With or without a running server (it uses a change within a second).
 */
import { ApiError } from '../api/contract.js';
import { SensorId } from '../api/alarms.js';
import { alarmSetupOf } from '../engine/config/schema.js';
import { removeDoor, removeSensor, setDoor, setSensor } from '../engine/integrations/setup.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, table, type Command } from './args.js';
import { openConfig, runningServer } from './offline.js';
import { recordCliChange } from './record.js';

export function mappingCommand(kind: 'door' | 'sensor'): Command {
  const plural = `${kind}s`;
  const USAGE = `Usage:
  gatehouse ${plural} set ${kind.toUpperCase()} --camera CAMERA[,CAMERA] [--name TEXT] [--zone ZONE] [--data DIR]
  gatehouse ${plural} list [--json] [--data DIR]
  gatehouse ${plural} remove ${kind.toUpperCase()} [--data DIR]

${kind === 'door' ? 'DOOR is the "door" of badge messages, or the id of a door sensor.' : 'SENSOR is the id the sensor publishes under (gatehouse/sensors/<id>).'} Its alarms link the cameras' footage.`;
  const wrap = <T>(p: Promise<T>) =>
    p.catch((err: unknown) => {
      throw err instanceof ApiError ? new CliError(err.message, err.code === 'not_found' ? 3 : 2) : err;
    });
  return {
    name: plural,
    summary: `${kind}s mapped to cameras (set, list, remove); works with or without a running server`,
    async run(argv) {
      const [sub, ...rest] = argv;
      if (!sub || sub === '--help' || sub === '-h') {
        console.log(USAGE);
        return sub ? 0 : 2;
      }
      if (sub === 'set') {
        const a = parse(
          rest,
          `gatehouse ${plural} set ${kind.toUpperCase()} --camera CAMERA[,CAMERA] [--name TEXT] [--zone ZONE] [--data DIR]`,
          { ...dataOption, camera: { type: 'string' }, name: { type: 'string' }, zone: { type: 'string' } },
          [
            { flag: '--camera CAM[,CAM]', help: 'the cameras that watch it (names or ids, up to 16); "" for none' },
            { flag: '--name TEXT', help: `what the guard reads ("Front door")` },
            { flag: '--zone ZONE', help: 'its zone (rules can match on it)' },
            dataHelp,
          ],
          true,
        );
        if (!a) return 0;
        const id = a.positionals[0];
        if (!id || a.positionals.length > 1) throw new CliError(`give exactly one ${kind}\n${USAGE}`);
        if (kind === 'sensor' && !SensorId.safeParse(id).success)
          throw new CliError(`"${id}" is not a sensor id: letters, digits and . _ : - (at most 128)`);
        if (a.values.camera === undefined) throw new CliError('--camera is required: --camera "Front,Lobby" (names or ids)');
        const cameras = String(a.values.camera)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const { store, paths } = await openConfig(dataDirOf(a.values));
        const p = { cameraIds: cameras, name: a.values.name as string | undefined, zone: a.values.zone as string | undefined };
        const entry: { cameraIds: string[] } = await wrap<{ cameraIds: string[] }>(
          kind === 'door' ? setDoor(store, id, p) : setSensor(store, id, p),
        );
        recordCliChange(paths, kind === 'door' ? 'alarmSetup.setDoor' : 'alarmSetup.setSensor', `${kind}:${id}`, { ...entry });
        console.log(`${kind === 'door' ? 'Door' : 'Sensor'} ${id} → ${entry.cameraIds.length ? entry.cameraIds.join(', ') : 'no camera'}.`);
        if (runningServer(paths)) console.log('The running server uses it within a second.');
        return 0;
      }
      if (sub === 'list') {
        const a = parse(rest, `gatehouse ${plural} list [--json] [--data DIR]`, { ...dataOption, json: { type: 'boolean' } }, [
          { flag: '--json', help: 'print JSON' },
          dataHelp,
        ]);
        if (!a) return 0;
        const { store } = await openConfig(dataDirOf(a.values));
        const s = alarmSetupOf(store.data);
        const names = new Map(store.data.cameras.map((c) => [c.id, c.name]));
        const rows =
          kind === 'door'
            ? s.doors.map((d) => ({ id: d.door, name: d.name, zone: d.zone, cameraIds: d.cameraIds }))
            : s.sensors.map((x) => ({ id: x.id, name: x.name, zone: x.zone, cameraIds: x.cameraIds }));
        if (a.values.json) console.log(JSON.stringify(kind === 'door' ? s.doors : s.sensors, null, 2));
        else if (!rows.length)
          console.log(`No ${plural} mapped. Add one with: gatehouse ${plural} set ${kind.toUpperCase()} --camera CAMERA`);
        else
          console.log(
            table(
              [kind.toUpperCase(), 'NAME', 'ZONE', 'CAMERAS'],
              rows.map((r) => [r.id, r.name ?? '-', r.zone ?? '-', r.cameraIds.map((c) => names.get(c) ?? c).join(', ') || '-']),
            ),
          );
        return 0;
      }
      if (sub === 'remove') {
        const a = parse(rest, `gatehouse ${plural} remove ${kind.toUpperCase()} [--data DIR]`, { ...dataOption }, [dataHelp], true);
        if (!a) return 0;
        const id = a.positionals[0];
        if (!id || a.positionals.length > 1) throw new CliError(`give exactly one ${kind}\n${USAGE}`);
        const { store, paths } = await openConfig(dataDirOf(a.values));
        await wrap(kind === 'door' ? removeDoor(store, id) : removeSensor(store, id));
        recordCliChange(paths, kind === 'door' ? 'alarmSetup.removeDoor' : 'alarmSetup.removeSensor', `${kind}:${id}`, {});
        console.log(`Removed ${kind} ${id}.`);
        return 0;
      }
      throw new CliError(`unknown subcommand "${plural} ${sub}"\n${USAGE}`);
    },
  };
}
