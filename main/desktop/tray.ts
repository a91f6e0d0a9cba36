/** The tray icon: show the console, open the alarm wall, toggle kiosk, quit. */
import { Menu, Tray, nativeImage, type NativeImage } from 'electron';

// 32×32 PNG: a white house on a blue rounded square.
const ICON_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAYAAABzenr0AAAACXBIWXMAAAsTAAALEwEAmpwYAAABMElEQVRYhWNgGExAxeMWu5zf9TxZ3+snZP1ufJH1u/GfSvgLyEwZ3+u5IDuwWi7jfVNa1u/6BSpaih37Xj8PsgvD57L0sBzJESghIQcKdnpZDsUyvtdy4A6Q9b1+kt4OkPW7cRzJATc+090Bvjc+IxxAhgGqITf/L93x/v/afR//q4fdIssRZDvAIeve/+sPfvyHgTuPf/53zb1PHwcU9D/7//X73//o4PvPf//Lp76gnQNUoUFOCJASJUQ7AD3ICQFio4QoB+AKckKAmCghygGUglEHyI5Ggd9wTISyVFA76gDZ0SjwG1SJ0Bd3k4xWDpDxu/5x8DRKQT2WAW2Wq4A6Jr7Xz9PNAb7Xz2uFXmHD7JrRwxHYumYMUAByFShoQPFD1b4CxKxjILMxfD7QAACWaDN48PP4oQAAAABJRU5ErkJggg==';

export function appIcon(): NativeImage {
  return nativeImage.createFromDataURL(`data:image/png;base64,${ICON_PNG}`);
}

export interface TrayActions {
  showConsole(): void;
  openAlarmWall(): void;
  toggleKiosk(): void;
  quit(): void;
  status(): string;
}

export interface AppTray {
  tray: Tray;
  /** Rebuild the menu (its first line shows the engine status). */
  refresh(): void;
}

/** Create the tray icon. Returns null where the desktop has no tray (some Linux desktops). */
export function createTray(a: TrayActions): AppTray | null {
  let tray: Tray;
  try {
    tray = new Tray(appIcon().resize({ width: 16, height: 16 }));
  } catch {
    return null;
  }
  const refresh = () =>
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: a.status(), enabled: false },
        { type: 'separator' },
        { label: 'Show console', click: a.showConsole },
        { label: 'Open alarm wall', click: a.openAlarmWall },
        { label: 'Toggle full screen (kiosk)', click: a.toggleKiosk },
        { type: 'separator' },
        { label: 'Quit Gatehouse', click: a.quit },
      ]),
    );
  tray.setToolTip('Gatehouse');
  tray.on('click', a.showConsole);
  refresh();
  return { tray, refresh };
}
