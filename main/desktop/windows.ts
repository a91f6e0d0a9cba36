/**
 * The shell's windows: the console on the primary display, and the optional
 * alarm wall, full screen on another display when there is one. Both load
 * pages from the engine's loopback server and use the sandboxed preload.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, screen, shell, type BrowserWindowConstructorOptions, type Display, type WebContents } from 'electron';

const here = path.dirname(fileURLToPath(import.meta.url));
export const PRELOAD = path.join(here, 'preload.cjs');
/** The renderer's alarm wall (renderer/src/views/alarms/AlarmWall.tsx), a hash route. */
export const ALARM_WALL_HASH = '#/alarm-wall';

function secureWindow(opts: BrowserWindowConstructorOptions): BrowserWindow {
  const win = new BrowserWindow({
    backgroundColor: '#101317',
    show: false,
    autoHideMenuBar: true,
    ...opts,
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
      spellcheck: false,
      backgroundThrottling: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  // A crashed or killed renderer comes back by itself (the recording never depended on it).
  win.webContents.on('render-process-gone', (_e, details) => {
    if (details.reason === 'clean-exit') return;
    setTimeout(() => {
      if (!win.isDestroyed()) win.webContents.reload();
    }, 1000);
  });
  return win;
}

/** Keep a window on the engine's origin: other links open in the system browser (https only) or nowhere. */
function confine(wc: WebContents, origin: () => string | null): void {
  wc.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//i.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  wc.on('will-navigate', (e, url) => {
    const o = origin();
    try {
      if (o && new URL(url).origin === new URL(o).origin) return;
    } catch {
      /* malformed: deny */
    }
    e.preventDefault();
  });
  wc.session.setPermissionRequestHandler((_wc, permission, cb) => cb(permission === 'fullscreen' || permission === 'clipboard-sanitized-write'));
}

export class Windows {
  console: BrowserWindow | null = null;
  alarmWall: BrowserWindow | null = null;
  /** Set while the app quits: windows then close without asking. */
  quitting = false;

  constructor(
    private readonly origin: () => string | null,
    private readonly kioskAtStart: boolean,
    /** Closing the console does not stop the recording by accident: ask (hide, quit or cancel). */
    private readonly onCloseConsole: (win: BrowserWindow) => void,
  ) {}

  /** Open (or show) the console on the primary display. */
  openConsole(): BrowserWindow {
    if (this.console && !this.console.isDestroyed()) {
      this.show(this.console);
      return this.console;
    }
    const area = screen.getPrimaryDisplay().workArea;
    const win = secureWindow({
      title: 'Gatehouse',
      x: area.x + Math.round(area.width * 0.05),
      y: area.y + Math.round(area.height * 0.05),
      width: Math.round(area.width * 0.9),
      height: Math.round(area.height * 0.9),
      minWidth: 960,
      minHeight: 600,
      kiosk: this.kioskAtStart,
    });
    confine(win.webContents, this.origin);
    win.on('close', (e) => {
      if (this.quitting) return;
      e.preventDefault();
      this.onCloseConsole(win);
    });
    win.on('closed', () => (this.console = null));
    this.console = win;
    this.load(win, '/');
    return win;
  }

  /** The alarm wall: full screen on the first display without the console, else a window beside it. */
  openAlarmWall(): BrowserWindow {
    if (this.alarmWall && !this.alarmWall.isDestroyed()) {
      this.show(this.alarmWall);
      return this.alarmWall;
    }
    const consoleDisplay: Display | null = this.console ? screen.getDisplayMatching(this.console.getBounds()) : screen.getPrimaryDisplay();
    const other = screen.getAllDisplays().find((d) => d.id !== consoleDisplay?.id);
    const area = (other ?? screen.getPrimaryDisplay()).workArea;
    const win = secureWindow({
      title: 'Gatehouse: alarm wall',
      x: area.x,
      y: area.y,
      width: other ? area.width : Math.round(area.width * 0.6),
      height: other ? area.height : Math.round(area.height * 0.6),
      fullscreen: !!other,
    });
    confine(win.webContents, this.origin);
    win.on('closed', () => (this.alarmWall = null));
    this.alarmWall = win;
    this.load(win, '/' + ALARM_WALL_HASH);
    return win;
  }

  toggleKiosk(win: BrowserWindow | null): void {
    if (!win || win.isDestroyed()) return;
    win.setKiosk(!win.isKiosk());
  }

  show(win: BrowserWindow): void {
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }

  /** Load (or reload, after the engine moved to another port) every window. */
  reloadAll(): void {
    if (this.console && !this.console.isDestroyed()) this.load(this.console, '/');
    if (this.alarmWall && !this.alarmWall.isDestroyed()) this.load(this.alarmWall, '/' + ALARM_WALL_HASH);
  }

  private load(win: BrowserWindow, rel: string): void {
    const o = this.origin();
    if (!o) return;
    void win.loadURL(o + rel).catch(() => {
      /* the engine went away mid-load: the next engine start reloads */
    });
  }

  all(): BrowserWindow[] {
    return [this.console, this.alarmWall].filter((w): w is BrowserWindow => !!w && !w.isDestroyed());
  }
}
