#!/usr/bin/env node
/**
 * The console's app icons for the web app manifest (PWA install) and iOS,
 * made from the favicon's drawing with sharp: run it after changing the
 * design, and commit the PNGs (renderer/public/icons/).
 *
 *   node scripts/make-icons.mjs
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'renderer', 'public', 'icons');
fs.mkdirSync(out, { recursive: true });

// The house of favicon.svg. "any": on a rounded dark square; "maskable": full bleed, the house inside the
// central 80 % safe zone (Android crops it to a circle or squircle).
const house = (scale, offset) =>
  `<path transform="translate(${offset} ${offset}) scale(${scale})" d="M7 25V13l9-6 9 6v12h-6v-7h-6v7z" fill="none" stroke="#5aa9e6" stroke-width="2.2" stroke-linejoin="round"/>`;
const any = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0b0d10"/>${house(1, 0)}</svg>`;
const maskable = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" fill="#0b0d10"/>${house(0.7, 4.8)}</svg>`;

const jobs = [
  ['icon-192.png', any, 192],
  ['icon-512.png', any, 512],
  ['maskable-512.png', maskable, 512],
  ['apple-touch-icon.png', maskable, 180],
];
for (const [name, svg, size] of jobs) {
  await sharp(Buffer.from(svg), { density: 72 * (size / 32) })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toFile(path.join(out, name));
  console.log(`${path.relative(root, path.join(out, name))} ${size}×${size}`);
}
