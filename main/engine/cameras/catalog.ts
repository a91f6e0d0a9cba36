import { ApiError, CameraName, CameraUrl, splitUrlCredentials, type CameraInfo, type CameraInput, type CameraStatus } from '../../api/contract.js';
import type { ConfigStore } from '../config/store.js';
import type { StoredCamera } from '../config/schema.js';
import type { SecretBox } from '../config/secrets.js';
import { DEMO_CAMERAS, demoKind } from './demo.js';

/**
 * Camera configuration operations, shared by the engine and the CLI (which
 * may run with no engine). Passwords are sealed before they reach the file
 * and never leave through CameraInfo.
 */

export function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return s || 'camera';
}

function check<T>(schema: { safeParse(v: unknown): { success: boolean; data?: T; error?: { issues: { message: string }[] } } }, v: unknown, field: string): T {
  const r = schema.safeParse(v);
  if (!r.success) throw new ApiError('bad_request', `${field}: ${r.error!.issues[0]!.message}`, field);
  return r.data as T;
}

export function validateUrl(url: string, field = 'url'): string {
  const u = check<string>(CameraUrl, url, field);
  if (u.startsWith('demo://') && !demoKind(u)) throw new ApiError('bad_request', `${field}: unknown demo source ${u}`, field);
  return u;
}

/** What the console and the CLI say when credentials came inside a URL. */
export const MOVED_CREDENTIALS_NOTE =
  'The user name and password were inside the URL: they were moved into the Username and Password fields, and the password is stored encrypted.';

/**
 * Move `user:password@` out of the main and sub stream URLs into username
 * and password (installers paste URLs from camera manuals). A URL's
 * credentials that disagree with the fields, or with the other URL, are
 * refused with a message that names the field. Pure: nothing is stored.
 */
export function takeUrlCredentials<T extends Partial<CameraInput>>(input: T): { input: T; moved: boolean } {
  const out: Partial<CameraInput> = { ...input };
  let moved = false;
  for (const field of ['url', 'subUrl'] as const) {
    const v = out[field];
    if (!v) continue;
    const c = splitUrlCredentials(v);
    if (!c) continue;
    const where = field === 'url' ? 'The main stream URL' : 'The sub stream URL';
    if (out.username && out.username !== c.username) {
      throw new ApiError('bad_request', `${where} holds the user "${c.username}" but the Username field says "${out.username}": keep one of them`, field);
    }
    if (c.password !== null && out.password && out.password !== c.password) {
      throw new ApiError('bad_request', `${where} holds another password than the Password field: keep one of them`, field);
    }
    out[field] = c.url;
    out.username = c.username;
    if (c.password !== null) out.password = c.password;
    moved = true;
  }
  return { input: out as T, moved };
}

export const defaultStatus = (state: CameraStatus['state'] = 'connecting', message = 'starting'): CameraStatus => ({
  state,
  message,
  since: new Date().toISOString(),
  codec: null,
  width: null,
  height: null,
  fps: null,
  audio: null,
  lastSegmentAt: null,
});

export function publicCamera(c: StoredCamera, status: CameraStatus | undefined): CameraInfo {
  return {
    id: c.id,
    name: c.name,
    url: c.url,
    subUrl: c.subUrl,
    username: c.username,
    hasPassword: !!c.password,
    enabled: c.enabled,
    demo: c.demo,
    retentionDays: c.retentionDays,
    status: status ?? (c.enabled ? defaultStatus() : defaultStatus('disabled', 'disabled by an admin')),
    ...(c.faces?.enabled ? { faces: true } : {}),
  };
}

export function findCamera(cams: StoredCamera[], idOrName: string): StoredCamera | undefined {
  const k = idOrName.trim().toLowerCase();
  return cams.find((c) => c.id === k) ?? cams.find((c) => c.name.toLowerCase() === k);
}

function uniqueId(cams: StoredCamera[], name: string): string {
  const base = slugify(name);
  let id = base;
  for (let i = 2; cams.some((c) => c.id === id); i++) id = `${base}-${i}`;
  return id;
}

export async function addCamera(store: ConfigStore, secrets: SecretBox, given: CameraInput, opts: { demo?: boolean } = {}): Promise<StoredCamera> {
  const input = takeUrlCredentials(given).input;
  const name = check<string>(CameraName, input.name, 'name');
  const url = validateUrl(input.url);
  const subUrl = input.subUrl ? validateUrl(input.subUrl, 'subUrl') : null;
  if (input.password && !input.username) throw new ApiError('bad_request', 'a password needs a user name too', 'username');
  return store.update((cfg) => {
    if (cfg.cameras.some((c) => c.name.toLowerCase() === name.toLowerCase())) {
      throw new ApiError('conflict', `a camera named "${name}" already exists; pick another name or remove it first`, 'name');
    }
    const cam: StoredCamera = {
      id: uniqueId(cfg.cameras, name),
      name,
      url,
      subUrl,
      username: input.username || null,
      password: input.password ? secrets.seal(input.password) : null,
      enabled: input.enabled ?? true,
      demo: !!opts.demo,
      retentionDays: input.retentionDays ?? null,
      createdAt: new Date().toISOString(),
    };
    cfg.cameras.push(cam);
    return cam;
  });
}

export async function updateCamera(store: ConfigStore, secrets: SecretBox, id: string, given: Partial<CameraInput>): Promise<StoredCamera> {
  const patch = takeUrlCredentials(given).input;
  const name = patch.name !== undefined ? check<string>(CameraName, patch.name, 'name') : undefined;
  const url = patch.url !== undefined ? validateUrl(patch.url) : undefined;
  const subUrl = patch.subUrl ? validateUrl(patch.subUrl, 'subUrl') : patch.subUrl;
  return store.update((cfg) => {
    const cam = cfg.cameras.find((c) => c.id === id);
    if (!cam) throw new ApiError('not_found', `no camera with id "${id}"`, 'id');
    if (name !== undefined) {
      if (cfg.cameras.some((c) => c !== cam && c.name.toLowerCase() === name.toLowerCase())) {
        throw new ApiError('conflict', `a camera named "${name}" already exists`, 'name');
      }
      cam.name = name;
    }
    if (url !== undefined) cam.url = url;
    if (subUrl !== undefined) cam.subUrl = subUrl ?? null;
    if (patch.username !== undefined) cam.username = patch.username || null;
    if (patch.password !== undefined) cam.password = patch.password ? secrets.seal(patch.password) : null;
    if (patch.enabled !== undefined) cam.enabled = patch.enabled;
    if (patch.retentionDays !== undefined) cam.retentionDays = patch.retentionDays ?? null;
    return cam;
  });
}

export async function removeCamera(store: ConfigStore, idOrName: string): Promise<StoredCamera> {
  return store.update((cfg) => {
    const cam = findCamera(cfg.cameras, idOrName);
    if (!cam) throw new ApiError('not_found', `no camera named "${idOrName}"; see "gatehouse cameras list"`, 'name');
    cfg.cameras = cfg.cameras.filter((c) => c !== cam);
    return cam;
  });
}

export async function addDemoCameras(store: ConfigStore, secrets: SecretBox): Promise<number> {
  let added = 0;
  for (const d of DEMO_CAMERAS) {
    if (store.data.cameras.some((c) => c.url === d.url)) continue;
    await addCamera(store, secrets, { name: d.name, url: d.url }, { demo: true });
    added++;
  }
  return added;
}

export async function removeDemoCameras(store: ConfigStore): Promise<number> {
  return store.update((cfg) => {
    const before = cfg.cameras.length;
    cfg.cameras = cfg.cameras.filter((c) => !c.demo);
    return before - cfg.cameras.length;
  });
}
