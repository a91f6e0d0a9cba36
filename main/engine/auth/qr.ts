/**
 * A QR code as an SVG document, made in the engine (qrcode-generator, no
 * network service): the enrolment screen shows it as an image, so the
 * TOTP secret never leaves the server except to the user enrolling.
 */
import qrcode from 'qrcode-generator';

/** `text` as a QR code (error correction M, 4-module quiet zone), dark on white, one path. */
export function qrSvg(text: string): string {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  const quiet = 4;
  const size = n + quiet * 2;
  let d = '';
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + quiet} ${r + quiet}h1v1h-1z`;
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges">` +
    `<rect width="${size}" height="${size}" fill="#fff"/><path d="${d}" fill="#000"/></svg>`
  );
}
