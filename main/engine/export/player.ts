/**
 * The bundle's index.html: the offline player (assets/export-player/) made
 * into one self-contained file, with the playback data (cameras, files,
 * runs, gaps, markers) embedded as JSON. Verification in the page reads the
 * files the user picks, never the embedded data.
 */
import fs from 'node:fs';
import { assetPath } from '../paths.js';
import type { ManifestGap, ManifestRun } from './manifest.js';

/** A mark on the player's timeline: an event, an alarm, an access-log row. */
export interface PlayerMarker {
  /** ISO 8601 (UTC). */
  time: string;
  end?: string;
  /** Short kind: "event", "alarm", "access", "bookmark"... */
  kind: string;
  label: string;
  /** Only on this camera's track (else on every track). */
  cameraId?: string;
}

export interface PlayerData {
  title: string;
  case: { name: string; reference: string | null; notes: string | null };
  reason: string;
  operator: { username: string; displayName: string | null };
  site: { name: string; id: string | null };
  host: string;
  createdAt: string;
  range: { from: string; to: string; seconds: number };
  fingerprint: string;
  cameras: {
    id: string;
    name: string;
    files: { path: string; part: number; firstFrame: string; lastFrame: string; runs: ManifestRun[]; width: number; height: number; codec: string; fps: number; reencoded: boolean }[];
    gaps: ManifestGap[];
  }[];
  markers: PlayerMarker[];
}

const FILES = ['player.html', 'player.css', 'sha256.js', 'verify.js', 'player.js'] as const;

/** The player's source files (assets/export-player), read once. */
let cache: Record<(typeof FILES)[number], string> | null = null;
function sources(): Record<(typeof FILES)[number], string> {
  if (!cache) {
    const out = {} as Record<(typeof FILES)[number], string>;
    for (const f of FILES) {
      const p = assetPath('export-player', f);
      try {
        out[f] = fs.readFileSync(p, 'utf8');
      } catch (err) {
        throw new Error(`the offline player is missing from this installation (${p}: ${(err as Error).message}); reinstall Gatehouse`);
      }
    }
    cache = out;
  }
  return cache;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON safe inside a <script> element: no "</", no "<!--", no U+2028/2029 surprises. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function buildPlayerHtml(data: PlayerData): string {
  const s = sources();
  const script = [s['sha256.js'], s['verify.js'], s['player.js']].join('\n').replace(/<\/script/gi, '<\\/script');
  // replace with functions: the inserted text may contain "$&" and the like
  return s['player.html']
    .replace('__TITLE__', () => escapeHtml(data.title))
    .replace('/*__STYLE__*/', () => s['player.css'])
    .replace('__DATA__', () => scriptJson(data))
    .replace('/*__SCRIPT__*/', () => script);
}
