/**
 * Alarm sounds synthesised with Web Audio (no audio files): each priority
 * has its own tone pattern (PRIORITY_STYLES in priority-style.ts); an escalation plays
 * it louder and twice as long. Muting (M) silences this console for a while.
 */
import type { Priority } from '../../../../main/api/alarms.js';
import { PRIORITY_STYLES } from './priority-style.js';

let ctx: AudioContext | null = null;
let mutedUntil = 0;
const listeners = new Set<() => void>();

export interface SoundEvent {
  priority: Priority;
  loud: boolean;
  at: number;
  muted: boolean;
}
/** What was played (for tests and the debug console): window.__gatehouseAlarmSounds. */
const played: SoundEvent[] = [];
if (typeof window !== 'undefined') (window as unknown as { __gatehouseAlarmSounds?: SoundEvent[] }).__gatehouseAlarmSounds = played;

function audio(): AudioContext | null {
  if (typeof window === 'undefined' || typeof window.AudioContext === 'undefined') return null;
  if (!ctx) {
    try {
      ctx = new window.AudioContext();
    } catch {
      return null;
    }
  }
  if (ctx.state === 'suspended') void ctx.resume().catch(() => {});
  return ctx;
}

/** Browsers start audio suspended until a key or click: unlock on the first one. */
export function unlockAudioOnGesture(): () => void {
  const unlock = () => {
    audio();
  };
  window.addEventListener('keydown', unlock, { capture: true });
  window.addEventListener('pointerdown', unlock, { capture: true });
  return () => {
    window.removeEventListener('keydown', unlock, { capture: true });
    window.removeEventListener('pointerdown', unlock, { capture: true });
  };
}

export function isMuted(now = Date.now()): boolean {
  return now < mutedUntil;
}
export function mutedUntilMs(): number {
  return mutedUntil;
}
export function setMutedUntil(ms: number): void {
  mutedUntil = ms;
  for (const l of [...listeners]) l();
}
export function onMuteChange(cb: () => void): () => void {
  listeners.add(cb);
  return () => listeners.delete(cb);
}

/** Play the pattern of a priority. Returns false when muted or the priority is silent. */
export function playAlarm(priority: Priority, o: { loud?: boolean } = {}): boolean {
  const s = PRIORITY_STYLES[priority].sound;
  const muted = isMuted();
  played.push({ priority, loud: !!o.loud, at: Date.now(), muted });
  if (played.length > 200) played.splice(0, played.length - 200);
  if (!s || muted) return false;
  const c = audio();
  if (!c) return false;
  const loud = !!o.loud;
  const peak = Math.min(1, s.gain * (loud ? 1.8 : 1));
  const repeat = loud ? s.repeat * 2 : s.repeat;
  const beep = s.beepMs / 1000;
  const gap = s.gapMs / 1000;
  let t = c.currentTime + 0.02;
  for (let r = 0; r < repeat; r++) {
    for (const f of s.tones) {
      const osc = c.createOscillator();
      const g = c.createGain();
      osc.type = priority === 1 ? 'sawtooth' : priority === 2 ? 'triangle' : 'sine';
      osc.frequency.setValueAtTime(f, t);
      g.gain.setValueAtTime(0.0001, t);
      g.gain.exponentialRampToValueAtTime(peak, t + 0.012);
      g.gain.setValueAtTime(peak, t + Math.max(0.013, beep - 0.03));
      g.gain.exponentialRampToValueAtTime(0.0001, t + beep);
      osc.connect(g).connect(c.destination);
      osc.start(t);
      osc.stop(t + beep + 0.02);
      t += beep + gap;
    }
    t += 0.12;
  }
  return true;
}
