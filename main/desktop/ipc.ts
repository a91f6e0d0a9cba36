/**
 * The Electron IPC transport. The preload (preload.cts) exposes
 * `window.gatehouse` (main/api/bridge.ts); its calls arrive here on the
 * channels of IPC_CHANNELS and go to the engine through that window's
 * EngineLink, which carries the window's own session token.
 *
 * After a login through IPC the token is also set as the gh_session cookie
 * on the window's session for the engine's origin, so that media requests
 * and the live WebSocket, which go straight to the engine's HTTP server,
 * authenticate too. Pushed events go to every window with a session.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { IPC_CHANNELS, type RpcReply } from '../api/bridge.js';
import { EngineLink } from './engine-link.js';

const COOKIE = 'gh_session';
const COOKIE_DAYS = 14;
type DesktopAction = 'openAlarmWall' | 'toggleKiosk' | 'quit';

export interface IpcDeps {
  /** The engine's origin (http://127.0.0.1:PORT), or null while it is not running. */
  engineUrl(): string | null;
  desktop(action: DesktopAction, sender: WebContents): Promise<void> | void;
}

export class IpcTransport {
  private links = new Map<number, EngineLink>();

  constructor(private readonly deps: IpcDeps) {}

  install(): void {
    ipcMain.handle(IPC_CHANNELS.rpc, async (e, method: unknown, params: unknown): Promise<RpcReply> => {
      if (!this.trusted(e)) return { error: { code: 'forbidden', message: 'calls are only accepted from the Gatehouse console' } };
      if (typeof method !== 'string') return { error: { code: 'bad_request', message: 'method must be a string' } };
      const link = await this.linkOf(e.sender);
      return link.rpc(method, params);
    });
    ipcMain.handle(IPC_CHANNELS.hello, async (e) => {
      if (!this.trusted(e)) return null;
      return (await this.linkOf(e.sender)).lastHello;
    });
    ipcMain.handle(IPC_CHANNELS.desktop, async (e, action: unknown) => {
      if (!this.trusted(e)) return;
      if (action !== 'openAlarmWall' && action !== 'toggleKiosk' && action !== 'quit') throw new Error(`unknown desktop action ${String(action)}`);
      await this.deps.desktop(action, e.sender);
    });
  }

  /** Only pages served by the engine itself may call (not a page navigated elsewhere). */
  private trusted(e: IpcMainInvokeEvent): boolean {
    const origin = this.deps.engineUrl();
    const frame = e.senderFrame;
    if (!origin || !frame) return false;
    try {
      return new URL(frame.url).origin === new URL(origin).origin;
    } catch {
      return false;
    }
  }

  private async linkOf(wc: WebContents): Promise<EngineLink> {
    let link = this.links.get(wc.id);
    if (link) return link;
    const token = await this.cookieToken(wc);
    link = this.links.get(wc.id);
    if (link) return link;
    link = new EngineLink(
      () => this.deps.engineUrl(),
      {
        hello: (h) => {
          if (!wc.isDestroyed()) wc.send(IPC_CHANNELS.hello, h);
        },
        event: (name, data) => {
          if (!wc.isDestroyed()) wc.send(IPC_CHANNELS.event, name, data);
        },
        token: (t) => void this.setCookie(wc, t),
      },
      token,
    );
    this.links.set(wc.id, link);
    wc.once('destroyed', () => {
      this.links.get(wc.id)?.close();
      this.links.delete(wc.id);
    });
    link.connect();
    return link;
  }

  /** The engine restarted (maybe on another port): reconnect every window's link. */
  engineBack(): void {
    for (const l of this.links.values()) l.connect();
  }

  private async cookieToken(wc: WebContents): Promise<string | null> {
    const url = this.deps.engineUrl();
    if (!url) return null;
    try {
      const [c] = await wc.session.cookies.get({ url, name: COOKIE });
      return c?.value ? decodeURIComponent(c.value) : null;
    } catch {
      return null;
    }
  }

  private async setCookie(wc: WebContents, token: string | null): Promise<void> {
    const url = this.deps.engineUrl();
    if (!url || wc.isDestroyed()) return;
    try {
      if (token) {
        await wc.session.cookies.set({
          url,
          name: COOKIE,
          value: encodeURIComponent(token),
          path: '/',
          httpOnly: true,
          sameSite: 'strict',
          expirationDate: Math.floor(Date.now() / 1000) + COOKIE_DAYS * 86400,
        });
      } else {
        await wc.session.cookies.remove(url, COOKIE);
      }
    } catch {
      /* the window is closing */
    }
  }

  dispose(): void {
    for (const l of this.links.values()) l.close();
    this.links.clear();
    ipcMain.removeHandler(IPC_CHANNELS.rpc);
    ipcMain.removeHandler(IPC_CHANNELS.hello);
    ipcMain.removeHandler(IPC_CHANNELS.desktop);
  }
}
