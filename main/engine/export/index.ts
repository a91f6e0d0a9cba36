/**
 * Evidence export (issue 13): the library the engine's export jobs and the
 * CLI call. See docs/export.md for the bundle layout, the manifest, the MP4
 * writer's invariants, signing and verification.
 *
 *   const keys = new SiteKeyStore(dataDir, secrets);
 *   const sel = selectSegments(db, paths.recordings, cameraId, from, to);
 *   const r = await createExportBundle({ target, fromMs: from, toMs: to,
 *     cameras: [{ id, name, ...sel }], case, reason, operator, site,
 *     signer: keys.signer(), signal, onProgress });
 *   // r.manifestSha256 → the audit row
 *   const v = await verifyBundle(dir, { siteKeys: readSitePublicKeys(dataDir) });
 */
export { createExportBundle, estimateExport, cameraGaps } from './bundle.js';
export type { CreateExportOptions, ExportCamera, ExportEstimate, ExportPhase, ExportProgress, ExportResult, KnownGap } from './bundle.js';
export { planClip, mediaAt, wallAt } from './clip-plan.js';
export type { ClipPart, ClipPlan, SourceSegment } from './clip-plan.js';
export { ExportError } from './errors.js';
export type { ExportErrorCode } from './errors.js';
export { BUNDLE, MANIFEST_FORMAT, MANIFEST_VERSION } from './manifest.js';
export type { Manifest, ManifestFile, ManifestGap, ManifestRun, ManifestVideoFile } from './manifest.js';
export type { MaskPolygon } from './masks.js';
export { writeClip } from './mp4-writer.js';
export type { WriteOptions, WriteProgress, WrittenClip } from './mp4-writer.js';
export type { PlayerMarker } from './player.js';
export { findDejaVu } from './reencode.js';
export { selectSegments } from './select.js';
export type { CameraSelection } from './select.js';
export { fingerprintOf, fingerprintOfPem, readSitePublicKeys, siteKeyFile, SiteKeyStore, SITE_KEY_FILE } from '../keys/site-key.js';
export type { ExportSigner, SiteKeyInfo } from '../keys/site-key.js';
export type { ExportTable } from './tables.js';
export { verifyBundle } from './verify.js';
export type { VerifyFile, VerifyOptions, VerifyResult } from './verify.js';
export { writeZip } from './zip.js';
