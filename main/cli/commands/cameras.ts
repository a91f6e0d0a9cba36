import * as catalog from '../../engine/cameras/catalog.js';
import { publicCamera } from '../../engine/cameras/catalog.js';
import { ApiError, splitUrlCredentials } from '../../api/contract.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, secretArg, table, type Command } from '../args.js';
import { printable } from '../../engine/util/printable.js';
import { auditCli } from '../audit-cli.js';
import { openConfig, runningServer } from '../offline.js';

const USAGE = 'gatehouse cameras <add|list|remove> [options]';

function apiToCli(err: unknown): never {
  if (err instanceof ApiError) throw new CliError(err.message, err.code === 'not_found' ? 3 : 2);
  throw err;
}

export const camerasCommand: Command = {
  name: 'cameras',
  summary: 'add, list and remove cameras (works with or without a running server)',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log(
        `Usage: ${USAGE}\n\n  cameras add --name NAME --url URL [--sub-url URL] [--user U (--password-stdin | --password P)] [--data DIR]\n  cameras list [--json] [--data DIR]\n  cameras remove NAME [--data DIR]\n\nA running server on the same data dir picks up changes within a second. Changes are recorded in the audit trail as os:<your login name>.`,
      );
      return sub ? 0 : 2;
    }
    if (sub === 'add') {
      const a = parse(
        rest,
        'gatehouse cameras add --name NAME --url URL [--sub-url URL] [--user U (--password-stdin | --password P)] [--retention-days N] [--data DIR] [--json]',
        {
          ...dataOption,
          name: { type: 'string' },
          url: { type: 'string' },
          'sub-url': { type: 'string' },
          user: { type: 'string' },
          password: { type: 'string' },
          'password-stdin': { type: 'boolean' },
          'retention-days': { type: 'string' },
          onvif: { type: 'string' },
          json: { type: 'boolean' },
        },
        [
          { flag: '--name NAME', help: 'what guards see on the tile, e.g. "Gate north"' },
          { flag: '--url URL', help: 'main stream, e.g. rtsp://192.168.1.20:554/stream1 (credentials inside are moved to --user/--password)' },
          { flag: '--sub-url URL', help: 'optional low-resolution stream for grids and detection' },
          { flag: '--user U', help: 'camera username' },
          { flag: '--password-stdin', help: 'read the camera password from the first line of stdin (keeps it out of the process list)' },
          { flag: '--password P', help: 'camera password (stored encrypted, never printed; visible in the process list while the command runs)' },
          { flag: '--retention-days N', help: 'keep this camera\'s footage N days (default: the global setting)' },
          { flag: '--onvif XADDR', help: 'add an ONVIF camera by its address (e.g. http://192.168.1.20/onvif/device_service); it reports its own stream URLs' },
          dataHelp,
          { flag: '--json', help: 'print the added camera as JSON' },
        ],
      );
      if (!a) return 0;
      const password = (await secretArg(a.values, 'password')) ?? null;
      if (a.values.onvif) {
        if (a.values.url || a.values['sub-url']) throw new CliError('--onvif asks the camera for its stream URLs: leave out --url and --sub-url');
        const { store, paths } = await openConfig(dataDirOf(a.values));
        const { addOnvifCamera } = await import('../../engine/onvif/onboard.js');
        const { toApiError } = await import('../../engine/onvif/errors.js');
        const { KeyFileSecretBox } = await import('../../engine/config/secrets.js');
        const added = await addOnvifCamera(store, new KeyFileSecretBox(paths.secretKey), {
          xaddr: a.values.onvif as string,
          username: (a.values.user as string | undefined) ?? null,
          password,
          name: (a.values.name as string | undefined) ?? null,
        }).catch((err: unknown) => apiToCli(toApiError(err, a.values.onvif as string)));
        const cam = added.camera;
        auditCli(paths, { action: 'cameras.add', target: `cameraId:${cam.id}`, details: { name: cam.name, onvif: true } }, store.data);
        if (a.values.json) console.log(JSON.stringify(publicCamera(cam, undefined), null, 2));
        else {
          const r = added.inspection.result;
          // What the camera reports is the camera's text: printed with its control characters escaped.
          console.log(printable(`Added camera "${cam.name}" (id ${cam.id}): ${r.manufacturer ?? '?'} ${r.model ?? ''}, firmware ${r.firmware ?? '?'}`));
          console.log(printable(`  main stream ${r.streamUrl} (${r.mainProfile})`));
          if (r.subStreamUrl) console.log(printable(`  sub stream  ${r.subStreamUrl} (${r.subProfile})`));
          console.log(`  PTZ ${r.capabilities.ptz ? 'yes' : 'no'}, events ${r.capabilities.events ? 'yes' : 'no'}, relay outputs ${r.capabilities.relayOutputs}`);
          if (r.clockSkewMs !== null && Math.abs(r.clockSkewMs) > 2000) console.log(`  Warning: the camera clock is ${Math.round(r.clockSkewMs / 1000)} s off; set it to use NTP`);
          console.log(runningServer(paths) ? 'The running server starts recording it now.' : 'It starts recording when the server runs: gatehouse serve');
        }
        return 0;
      }
      if (!a.values.name) throw new CliError('--name is required');
      if (!a.values.url) throw new CliError('--url is required');
      let retentionDays: number | null = null;
      if (a.values['retention-days'] !== undefined) {
        retentionDays = Number(a.values['retention-days']);
        if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 3650) throw new CliError('--retention-days must be a whole number from 1 to 3650');
      }
      const { store, secrets, paths } = await openConfig(dataDirOf(a.values));
      const given = {
        url: a.values.url as string,
        subUrl: (a.values['sub-url'] as string | undefined) ?? null,
      };
      const moved = !!splitUrlCredentials(given.url) || (!!given.subUrl && !!splitUrlCredentials(given.subUrl));
      const cam = await catalog
        .addCamera(store, secrets, {
          name: a.values.name as string,
          url: a.values.url as string,
          subUrl: (a.values['sub-url'] as string | undefined) ?? null,
          username: (a.values.user as string | undefined) ?? null,
          password,
          retentionDays,
        })
        .catch(apiToCli);
      auditCli(paths, { action: 'cameras.add', target: `cameraId:${cam.id}`, details: { name: cam.name, retentionDays } }, store.data);
      const info = publicCamera(cam, undefined);
      if (a.values.json) console.log(JSON.stringify(info, null, 2));
      else {
        console.log(`Added camera "${cam.name}" (id ${cam.id}).`);
        if (moved) {
          console.log('The user name and password were inside the URL: they are stored as the camera\'s --user and its encrypted --password.');
          console.log('Next time pass them with --user and --password (or type them in the console) rather than inside the URL.');
        }
        console.log(runningServer(paths) ? 'The running server starts recording it now.' : 'It starts recording when the server runs: gatehouse serve');
      }
      return 0;
    }
    if (sub === 'list') {
      const a = parse(rest, 'gatehouse cameras list [--json] [--data DIR]', { ...dataOption, json: { type: 'boolean' } }, [dataHelp, { flag: '--json', help: 'print JSON' }]);
      if (!a) return 0;
      const { store } = await openConfig(dataDirOf(a.values));
      const cams = store.data.cameras.map((c) => {
        const { status: _s, ...rest } = publicCamera(c, undefined);
        void _s;
        return rest;
      });
      if (a.values.json) console.log(JSON.stringify(cams, null, 2));
      else if (cams.length === 0) console.log('No cameras. Add one with: gatehouse cameras add --name NAME --url rtsp://...');
      else
        console.log(
          table(
            ['ID', 'NAME', 'URL', 'USER', 'ENABLED'],
            cams.map((c) => [c.id, c.name + (c.demo ? ' [demo]' : ''), c.url, c.username ?? '', c.enabled ? 'yes' : 'no']),
          ),
        );
      return 0;
    }
    if (sub === 'remove') {
      const a = parse(rest, 'gatehouse cameras remove NAME [--data DIR]', { ...dataOption }, [dataHelp], true);
      if (!a) return 0;
      const name = a.positionals[0];
      if (!name || a.positionals.length > 1) throw new CliError('give exactly one camera name or id: gatehouse cameras remove NAME');
      const { store, paths } = await openConfig(dataDirOf(a.values));
      const cam = await catalog.removeCamera(store, name).catch(apiToCli);
      auditCli(paths, { action: 'cameras.remove', target: `cameraId:${cam.id}`, details: { name: cam.name } }, store.data);
      console.log(`Removed camera "${cam.name}". Its recordings stay on disk until retention deletes them.`);
      return 0;
    }
    throw new CliError(`unknown subcommand "cameras ${sub}"; use add, list or remove`);
  },
};
