import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { packageRoot } from '../../engine/paths.js';
import { dataDirOf, dataHelp, dataOption, parse, type Command } from '../args.js';
import { allowedHostsOf, hideSecretArgs, portOf, runServer, tlsArgs, tlsHelp, tlsOptions } from './serve.js';

/** The electron binary, if the optional dependency installed it. */
export function electronBinary(): string | null {
  try {
    const req = createRequire(path.join(packageRoot(), 'package.json'));
    const bin = req('electron') as unknown;
    return typeof bin === 'string' && fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

export const startCommand: Command = {
  name: 'start',
  summary: 'open the desktop app where Electron is installed, else serve the console (what "npm start" runs)',
  async run(argv) {
    const a = parse(
      argv,
      'gatehouse start [--data DIR] [--port N] [--host ADDR] [--allowed-hosts NAMES] [--tls [--cert FILE --key FILE] | --insecure-http] [--admin-password PW] [--headless]',
      {
        ...dataOption,
        ...tlsOptions,
        port: { type: 'string' },
        host: { type: 'string' },
        'allowed-hosts': { type: 'string' },
        'admin-password': { type: 'string' },
        headless: { type: 'boolean' },
      },
      [
        dataHelp,
        { flag: '--port N', help: 'HTTP port when serving (default 8780)' },
        { flag: '--host ADDR', help: 'address to bind when serving (default 127.0.0.1); in the desktop app, the address of its remote-access listener (with --tls)' },
        { flag: '--allowed-hosts NAMES', help: 'comma-separated host names the console is reached by when serving (docs/security.md)' },
        ...tlsHelp.map((h) => ({ ...h, help: `${h.help}; the desktop app opens its remote-access listener with it (else Settings → Remote access)` })),
        { flag: '--admin-password PW', help: 'password of the "admin" user' },
        { flag: '--headless', help: 'serve the console even where Electron is installed' },
      ],
    );
    if (!a) return 0;
    const host = (a.values.host as string | undefined) ?? '127.0.0.1';
    const tls = tlsArgs(a.values, host);
    const electron = a.values.headless ? null : electronBinary();
    const desktopMain = path.join(packageRoot(), 'dist', 'main', 'desktop', 'main.js');
    if (electron && fs.existsSync(desktopMain)) {
      const child = spawn(electron, [desktopMain, ...argv], { stdio: 'inherit' });
      // a service manager's stop reaches this process: the app (and its engine) must stop too
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => child.kill(sig));
      return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 0)));
    }
    if (!a.values.headless) console.log('Electron is not installed here: serving the console in the browser instead.');
    hideSecretArgs('start', argv);
    await runServer({
      dataDir: dataDirOf(a.values),
      port: portOf(a.values.port),
      host,
      ...tls,
      allowedHosts: allowedHostsOf(a.values['allowed-hosts']),
      demo: false,
      demoIfEmpty: true,
      adminPassword: a.values['admin-password'] as string | undefined,
    });
    return -1;
  },
};
