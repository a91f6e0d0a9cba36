/**
 * How each alarm priority looks and sounds in the console: text/accent
 * colour, row tint and the synthesised alert tone. What a priority means
 * (label, time to acknowledge) is the contract's PRIORITIES
 * (main/api/alarms.ts); this adds the styling, which only the console needs.
 */
import { PRIORITIES, type Priority, type PriorityInfo } from '../../../../main/api/alarms.js';

export interface PrioritySound {
  /** Tone frequencies, Hz, played in turn. */
  tones: number[];
  /** Length of one beep and the pause after it, ms. */
  beepMs: number;
  gapMs: number;
  /** How many times the pattern plays. */
  repeat: number;
  /** Volume, 0..1. */
  gain: number;
}

export interface PriorityStyle extends PriorityInfo {
  /** Text/accent colour, chosen to stay readable on the dark console at night. */
  color: string;
  /** Background tint for a queue row. */
  tint: string;
  /** The alert sound; null = silent. */
  sound: PrioritySound | null;
}

const look: Record<Priority, Omit<PriorityStyle, keyof PriorityInfo>> = {
  1: { color: '#ff5c5c', tint: 'rgba(255,92,92,0.16)', sound: { tones: [880, 660], beepMs: 180, gapMs: 60, repeat: 4, gain: 0.5 } },
  2: { color: '#ff9f43', tint: 'rgba(255,159,67,0.13)', sound: { tones: [740, 740, 740], beepMs: 140, gapMs: 90, repeat: 1, gain: 0.4 } },
  3: { color: '#f4d03f', tint: 'rgba(244,208,63,0.10)', sound: { tones: [620, 620], beepMs: 140, gapMs: 120, repeat: 1, gain: 0.3 } },
  4: { color: '#5dade2', tint: 'rgba(93,173,226,0.10)', sound: { tones: [520], beepMs: 160, gapMs: 0, repeat: 1, gain: 0.22 } },
  5: { color: '#a5b1c2', tint: 'rgba(165,177,194,0.07)', sound: null },
};

/** Each priority's meaning (from the contract) and its look. */
export const PRIORITY_STYLES: Record<Priority, PriorityStyle> = {
  1: { ...PRIORITIES[1], ...look[1] },
  2: { ...PRIORITIES[2], ...look[2] },
  3: { ...PRIORITIES[3], ...look[3] },
  4: { ...PRIORITIES[4], ...look[4] },
  5: { ...PRIORITIES[5], ...look[5] },
};
