/**
 * The Gatehouse desktop shell (Electron main process): the only part of
 * Gatehouse that imports electron.
 *
 * Design (see docs/architecture.md, "Desktop shell"): the engine does NOT
 * run in this process. It runs in a child process, the engine host
 * (engine-host.ts), on plain Node in a clone (the native modules there are
 * built for Node) and on Electron's Node (ELECTRON_RUN_AS_NODE) in a
 * packaged app (electron-builder rebuilds them for Electron). The host
 * serves the console on 127.0.0.1 at a random port; the windows load it from
 * there, and IPC calls from the windows are relayed to it per window
 * (ipc.ts). If the host dies after a good start it is restarted with
 * backoff on the same port, and the windows reconnect by themselves; a
 * renderer crash or a GPU hang never stops the recording.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { app, dialog, Menu, powerSaveBlocker, BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import { defaultDataDir } from '../engine/paths.js';
import { EngineProcess } from './engine-process.js';
import { IpcTransport } from './ipc.js';
import { chooseKey } from './keyring.js';
import { createTray, appIcon, type AppTray } from './tray.js';
import { Windows } from './windows.js';

const here = path.dirname(fileURLToPath(import.meta.url));

interface ShellArgs {
  dataDir: string;
  port: number;
  adminPassword?: string;
  kiosk: boolean;
  /** `--tls [--host ADDR] [--cert F --key F]`: the remote-access listener, over the setting. */
  remote: { host: string; certFile: string | null; keyFile: string | null } | null;
}

function shellArgs(): ShellArgs {
  // `gatehouse start` passes its own options through: --data, --port, --host, --admin-password, --headless.
  const { values } = parseArgs({
    args: process.argv.slice(app.isPackaged ? 1 : 2),
    options: {
      data: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'admin-password': { type: 'string' },
      kiosk: { type: 'boolean' },
      headless: { type: 'boolean' },
      tls: { type: 'boolean' },
      cert: { type: 'string' },
      key: { type: 'string' },
    },
    strict: false,
    allowPositionals: true,
  });
  const port = Number(values.port ?? 0);
  return {
    dataDir: path.resolve(typeof values.data === 'string' ? values.data : defaultDataDir()),
    port: Number.isInteger(port) && port >= 0 && port <= 65535 ? port : 0,
    adminPassword: typeof values['admin-password'] === 'string' ? values['admin-password'] : undefined,
    kiosk: values.kiosk === true,
    // the console windows stay on 127.0.0.1; --tls opens a second, HTTPS listener for other machines
    remote:
      values.tls === true || typeof values.cert === 'string'
        ? {
            host: typeof values.host === 'string' ? values.host : '0.0.0.0',
            certFile: typeof values.cert === 'string' ? path.resolve(values.cert) : null,
            keyFile: typeof values.key === 'string' ? path.resolve(values.key) : null,
          }
        : null,
  };
}

/** How to run the engine host: Node in a clone, Electron's own Node when packaged. */
function hostCommand(): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const script = path.join(here, 'engine-host.js');
  const useElectron = app.isPackaged || process.env.GATEHOUSE_ENGINE_NODE === 'electron';
  if (useElectron) return { command: process.execPath, args: [script], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } };
  const node = process.env.GATEHOUSE_NODE || process.env.npm_node_execpath || 'node';
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  return { command: node, args: [script], env };
}

if (!app.requestSingleInstanceLock()) {
  // Another Gatehouse window is open: it is brought to the front (second-instance below).
  app.quit();
} else {
  void run();
}

async function run(): Promise<void> {
  const args = shellArgs();
  let engineUrl: string | null = null;
  let recording = false;
  let blocker: number | null = null;
  let status = 'Engine starting…';
  let tray: AppTray | null = null;
  let quitting = false;
  let stopped = false;

  const windows = new Windows(
    () => engineUrl,
    args.kiosk,
    (win) =>
      void dialog
        .showMessageBox(win, {
          type: 'question',
          title: 'Gatehouse',
          message: 'Close the console?',
          detail: 'In the background the cameras keep recording; bring the console back from the tray icon or by starting Gatehouse again. Quitting stops the recording.',
          buttons: ['Keep recording in the background', 'Quit Gatehouse', 'Cancel'],
          defaultId: 0,
          cancelId: 2,
          noLink: true,
        })
        .then(({ response }) => {
          if (response === 0) win.hide();
          else if (response === 1) app.quit();
        }),
  );
  const ipc = new IpcTransport({
    engineUrl: () => engineUrl,
    desktop: (action, sender) => {
      if (action === 'openAlarmWall') windows.openAlarmWall();
      else if (action === 'toggleKiosk') windows.toggleKiosk(BrowserWindow.fromWebContents(sender));
      else if (action === 'quit') app.quit();
    },
  });

  const setStatus = (s: string) => {
    status = s;
    tray?.refresh();
  };

  app.on('second-instance', () => {
    if (engineUrl) windows.openConsole();
  });

  await app.whenReady();
  app.setAppUserModelId('org.gatehouse.desktop');
  ipc.install();

  fs.mkdirSync(path.join(args.dataDir, 'run'), { recursive: true });
  let key: ReturnType<typeof chooseKey>;
  try {
    key = chooseKey(args.dataDir);
  } catch (err) {
    key = { key: null, mode: 'keyfile', warning: `Safe storage of camera passwords is not available (${(err as Error).message}); they are sealed with the key file instead.` };
  }
  if (key.warning) void dialog.showMessageBox({ type: 'warning', title: 'Gatehouse', message: key.warning });

  const host = hostCommand();
  const engine = new EngineProcess({
    ...host,
    args: host.args,
    logFile: path.join(args.dataDir, 'run', 'desktop-engine.log'),
    start: { dataDir: args.dataDir, port: args.port, adminPassword: args.adminPassword, demoIfNew: true, key: key.key, remote: args.remote },
    onMessage(m) {
      if (m.type === 'listening') {
        // First start: open the console (or load windows the tray opened early). A restart on the
        // same port needs nothing (the windows reconnect); on another port the windows reload.
        const changed = engineUrl !== m.url;
        engineUrl = m.url;
        setStatus(`Engine running (${m.version})${recording ? ', recording' : ''}`);
        if (!windows.console) windows.openConsole();
        else if (changed) windows.reloadAll();
        ipc.engineBack();
      } else if (m.type === 'recording') {
        recording = m.active;
        // Keep the machine from sleeping while cameras record (the screen may still turn off).
        if (m.active && blocker === null) blocker = powerSaveBlocker.start('prevent-app-suspension');
        if (!m.active && blocker !== null) {
          powerSaveBlocker.stop(blocker);
          blocker = null;
        }
        setStatus(m.active ? 'Engine running, recording' : 'Engine running, not recording');
      } else if (m.type === 'adminPassword') {
        void dialog.showMessageBox({
          type: 'info',
          title: 'Gatehouse: first start',
          message: `Log in as "admin" with the password\n\n${m.password}\n\nIt is shown only this once. Change it under Settings.`,
        });
      } else if (m.type === 'fatal') {
        setStatus('Engine stopped');
      } else if (m.type === 'remote') {
        console.log(`Remote access: ${m.url}  certificate SHA-256 ${m.fingerprint}`);
      } else if (m.type === 'remoteFailed') {
        void dialog.showMessageBox({ type: 'warning', title: 'Gatehouse: remote access', message: `${m.message}\n\nThe console on this PC works as usual. Change it under Settings → Remote access.` });
      }
    },
    onExit({ restartInMs, reason }) {
      if (restartInMs !== null) {
        setStatus(`Engine restarting (${reason})`);
        return;
      }
      setStatus('Engine stopped');
      dialog.showErrorBox('Gatehouse could not start', `${reason}\n\nThe engine log is in ${path.join(args.dataDir, 'run', 'desktop-engine.log')}.`);
      app.quit();
    },
  });

  tray = createTray({
    showConsole: () => windows.openConsole(),
    openAlarmWall: () => windows.openAlarmWall(),
    toggleKiosk: () => windows.toggleKiosk(windows.console),
    quit: () => app.quit(),
    status: () => status,
  });

  const menu: MenuItemConstructorOptions[] = [
    {
      label: 'Gatehouse',
      submenu: [
        { label: 'Show console', click: () => windows.openConsole() },
        { label: 'Open alarm wall', click: () => windows.openAlarmWall() },
        { label: 'Toggle full screen (kiosk)', accelerator: 'F11', click: (_i, w) => windows.toggleKiosk((w as BrowserWindow | undefined) ?? windows.console) },
        { role: 'reload' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' } as MenuItemConstructorOptions]),
        { type: 'separator' },
        { label: 'Quit', accelerator: 'CmdOrCtrl+Q', click: () => app.quit() },
      ],
    },
    { role: 'editMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(menu));
  if (process.platform !== 'darwin') {
    // Windows and Linux take the window icon from here; macOS from the bundle.
    app.on('browser-window-created', (_e, w) => w.setIcon(appIcon()));
  }

  engine.start();

  // The console only closes when the app quits (closing it asks); the alarm wall may close alone.
  app.on('window-all-closed', () => {
    if (!quitting) app.quit();
  });
  app.on('activate', () => {
    if (engineUrl) windows.openConsole();
  });

  // Quit: stop the engine (it closes the open segments) before the app exits.
  app.on('before-quit', (e) => {
    windows.quitting = true;
    if (stopped) return;
    e.preventDefault();
    if (quitting) return;
    quitting = true;
    setStatus('Stopping the engine…');
    void engine.stop().finally(() => {
      if (blocker !== null) powerSaveBlocker.stop(blocker);
      ipc.dispose();
      tray?.tray.destroy();
      stopped = true;
      app.quit();
    });
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => app.quit());
}
