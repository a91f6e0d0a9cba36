/**
 * The desktop shell, end to end, with Playwright's Electron driver. It needs
 * the Electron binary (the optional "electron" dependency, downloaded unless
 * ELECTRON_SKIP_BINARY_DOWNLOAD=1), a built shell (npm run build) and a
 * display; where one is missing every test is skipped with the reason.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { ROOT } from './helpers/server.js';

const PASSWORD = 'e2e-desktop-password';

function electronBinary(): string | null {
  try {
    const bin = createRequire(path.join(ROOT, 'package.json'))('electron') as unknown;
    return typeof bin === 'string' && fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

const bin = electronBinary();
const desktopMain = path.join(ROOT, 'dist', 'main', 'desktop', 'main.js');
const noDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;

test.describe('desktop shell (Electron)', () => {
  test.skip(!bin, 'the Electron binary is not installed here (optional dependency, or ELECTRON_SKIP_BINARY_DOWNLOAD=1): the desktop shell is only typechecked');
  test.skip(!!bin && !fs.existsSync(desktopMain), 'the desktop shell is not built: run "npm run build" with the electron package installed');
  test.skip(!!bin && noDisplay, 'no display: run the e2e specs under xvfb-run to test the desktop shell');

  let app: ElectronApplication;
  let page: Page;
  let dataDir: string;

  test.beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-electron-'));
    app = await electron.launch({
      executablePath: bin!,
      args: [desktopMain, '--data', dataDir, '--admin-password', PASSWORD, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
      env: { ...process.env, GATEHOUSE_NODE: process.execPath } as Record<string, string>,
      timeout: 60_000,
    });
    page = await app.firstWindow({ timeout: 60_000 });
  });

  test.afterAll(async () => {
    await app?.close().catch(() => {});
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('the console loads from the engine on loopback, isolated from Node', async () => {
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(await page.evaluate(() => (window as unknown as { gatehouse?: { kind: string } }).gatehouse?.kind)).toBe('electron');
    expect(await page.evaluate(() => typeof (globalThis as Record<string, unknown>).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as Record<string, unknown>).process)).toBe('undefined');
    // The preload's world is separate: the page can't reach ipcRenderer.
    expect(await page.evaluate(() => typeof (window as unknown as { ipcRenderer?: unknown }).ipcRenderer)).toBe('undefined');
  });

  test('logging in through IPC also authenticates media requests (cookie on the engine origin)', async () => {
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
    const status = await page.evaluate(async () => (await fetch('/api/rpc/auth.me', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status);
    expect(status).toBe(200);
    await page.getByTestId('nav-cameras').click();
    await expect(page.getByTestId('camera-row')).toHaveCount(4);
  });

  test('quitting stops the engine host', async () => {
    const lock = JSON.parse(fs.readFileSync(path.join(dataDir, 'run', 'engine.json'), 'utf8')) as { pid: number };
    await app.close();
    await expect
      .poll(() => {
        try {
          process.kill(lock.pid, 0);
          return 'running';
        } catch {
          return 'stopped';
        }
      }, { timeout: 30_000 })
      .toBe('stopped');
  });
});
