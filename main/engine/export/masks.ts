/**
 * Privacy masks: per-camera polygons in normalised coordinates (0–1, origin
 * top left, x to the right, y down, relative to the picture), rendered to an
 * opaque black PNG overlay at the video's size with sharp (from an SVG). The
 * re-encode burns it into every frame (ffmpeg `overlay`).
 */
import fs from 'node:fs';
import { ExportError } from './errors.js';

/** A polygon: at least 3 points [x, y], each coordinate 0–1. */
export type MaskPolygon = [number, number][];

/** Throws ExportError('bad_request') with the reason when a polygon is unusable. */
export function validateMasks(masks: MaskPolygon[], camera: string): void {
  masks.forEach((poly, i) => {
    if (!Array.isArray(poly) || poly.length < 3) throw new ExportError('bad_request', `privacy mask ${i + 1} of ${camera} needs at least 3 points`);
    for (const p of poly) {
      if (!Array.isArray(p) || p.length !== 2 || !p.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1)) {
        throw new ExportError('bad_request', `privacy mask ${i + 1} of ${camera} has a point outside 0–1: ${JSON.stringify(p)}`);
      }
    }
  });
}

/** The SVG of the masks at width × height pixels (black, opaque; edges widened by a pixel so no sliver shows). */
export function maskSvg(masks: MaskPolygon[], width: number, height: number): string {
  const polys = masks
    .map((poly) => {
      const pts = poly.map(([x, y]) => `${(x * width).toFixed(2)},${(y * height).toFixed(2)}`).join(' ');
      return `<polygon points="${pts}" fill="#000" fill-opacity="1" stroke="#000" stroke-width="2" stroke-linejoin="round"/>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" shape-rendering="crispEdges">${polys}</svg>`;
}

/** Write the mask overlay PNG (transparent outside the polygons). */
export async function renderMaskPng(masks: MaskPolygon[], width: number, height: number, outFile: string): Promise<void> {
  const { default: sharp } = await import('sharp');
  const png = await sharp(Buffer.from(maskSvg(masks, width, height)), { density: 72 })
    .resize(width, height, { fit: 'fill' })
    .ensureAlpha()
    .png()
    .toBuffer();
  fs.writeFileSync(outFile, png);
}
