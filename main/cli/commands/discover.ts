import fs from 'node:fs';
import { discover, WSD_PORT } from '../../engine/onvif/discovery.js';
import { findOnvifCamera } from '../../engine/onvif/onboard.js';
import { DataPaths } from '../../engine/paths.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, table, type Command } from '../args.js';
import { openConfig } from '../offline.js';

const USAGE = 'gatehouse discover [--timeout S] [--json] [--interface IP[,IP]] [--unicast HOST[,HOST]] [--port N] [--data DIR]';

const list = (v: unknown) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);

export const discoverCommand: Command = {
  name: 'discover',
  summary: 'find ONVIF cameras on the local network (WS-Discovery)',
  async run(argv) {
    const a = parse(
      argv,
      USAGE,
      {
        ...dataOption,
        timeout: { type: 'string' },
        json: { type: 'boolean' },
        interface: { type: 'string' },
        unicast: { type: 'string' },
        port: { type: 'string' },
      },
      [
        { flag: '--timeout S', help: 'seconds to collect answers (default 3, up to 30)' },
        { flag: '--json', help: 'print the devices as JSON' },
        { flag: '--interface IP', help: 'probe only from these local IPv4 addresses (default: every interface)' },
        { flag: '--unicast HOST', help: 'also probe these hosts directly, for networks that drop multicast' },
        { flag: '--port N', help: `WS-Discovery port (default ${WSD_PORT})` },
        dataHelp,
      ],
    );
    if (!a) return 0;
    const seconds = a.values.timeout === undefined ? 3 : Number(a.values.timeout);
    if (!Number.isFinite(seconds) || seconds < 0.5 || seconds > 30) throw new CliError('--timeout must be a number of seconds from 0.5 to 30');
    const port = a.values.port === undefined ? WSD_PORT : Number(a.values.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CliError('--port must be a port number');
    const devices = await discover({ timeoutMs: seconds * 1000, port, interfaces: list(a.values.interface), unicast: list(a.values.unicast) });
    // "Already added": only read a config that exists; discovery never creates a data dir.
    const paths = new DataPaths(dataDirOf(a.values));
    const cams = fs.existsSync(paths.config) ? (await openConfig(paths.root)).store.data.cameras : [];
    const rows = devices.map((d) => ({ ...d, cameraId: findOnvifCamera(cams, d.xaddr, d.endpoint)?.id ?? null }));
    if (a.values.json) {
      console.log(JSON.stringify(rows, null, 2));
      return 0;
    }
    if (!rows.length) {
      console.log(`No ONVIF devices answered within ${seconds} s. Check that the cameras are on this network and ONVIF is enabled on them; some networks drop multicast (try --unicast IP).`);
      return 0;
    }
    console.log(
      table(
        ['MANUFACTURER', 'MODEL', 'FIRMWARE', 'ADDRESS', 'ADDED'],
        rows.map((d) => [d.manufacturer ?? '?', d.model ?? '?', d.firmware ?? (d.infoFrom === 'scopes' ? '(needs login)' : '?'), d.xaddr, d.cameraId ? `yes (${d.cameraId})` : 'no']),
      ),
    );
    console.log(`\n${rows.length} device(s). Add one with: gatehouse cameras add --onvif ADDRESS --user U --password P [--name N]`);
    return 0;
  },
};
