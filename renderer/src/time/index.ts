/**
 * The console's time library: units (ms), time zones (DST-safe) and
 * formatting. Import from here; see docs/console.md.
 */
export * from './units.js';
export * from './zone.js';
export * from './format.js';
