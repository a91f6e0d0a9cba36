/**
 * `GET /api/exports/<jobId>/download`: a finished export as a .zip, for a
 * console on another computer (supervisors and admins; the bundle is
 * evidence leaving the building, so every download is audited with the
 * manifest's SHA-256). The job's own .zip when it made one; otherwise a zip
 * of the folder is written to a hidden temporary file beside it, streamed
 * and deleted. The zip holds the folder itself, exactly as `--zip` makes it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { ApiError, roleRank, type Me } from '../../api/contract.js';
import { logger } from '../log.js';
import type { ExportService } from './service.js';
import { writeZip } from './zip.js';

const log = logger('export');

function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, r));
    else if (e.isFile()) out.push(r);
  }
  return out;
}

/** Serve a download if the URL is one; false when it is not an export route. */
export async function serveDownload(service: ExportService, req: http.IncomingMessage, res: http.ServerResponse, url: URL, me: Me): Promise<boolean> {
  const m = /^\/api\/exports\/(x_[a-z0-9]{6,32})\/download$/.exec(url.pathname);
  if (!m) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new ApiError('bad_request', 'use GET');
  if (roleRank[me.role] < roleRank.supervisor) throw new ApiError('forbidden', `downloading an export needs the supervisor role; you are ${me.role}`);
  const job = service.jobs.get(m[1]!);
  if (!job) throw new ApiError('not_found', `no export job ${m[1]}`);
  if (job.state !== 'done' || !job.dir || !fs.existsSync(job.dir)) throw new ApiError('not_found', `export ${job.id} has no bundle to download (${job.state})`);
  const name = `${path.basename(job.dir)}.zip`;
  let file = job.zipPath && fs.existsSync(job.zipPath) ? job.zipPath : null;
  let temp: string | null = null;
  if (!file) {
    temp = path.join(path.dirname(job.dir), `.${name}.download.${crypto.randomBytes(4).toString('hex')}`);
    await writeZip(
      temp,
      listFiles(job.dir).map((rel) => ({ name: `${path.basename(job.dir!)}/${rel}`, file: path.join(job.dir!, rel), compress: !rel.endsWith('.mp4') })),
    );
    file = temp;
  }
  const size = fs.statSync(file).size;
  service.audit.append({ actor: me.username, action: 'export.download', target: job.caseId ? `case:${job.caseId}` : null, details: { jobId: job.id, caseId: job.caseId, manifestSha256: job.manifestSha256, bytes: size } });
  res.writeHead(200, {
    'content-type': 'application/zip',
    'content-length': String(size),
    'content-disposition': `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
    'cache-control': 'no-store',
  });
  if (req.method === 'HEAD') {
    res.end();
    if (temp) fs.rmSync(temp, { force: true });
    return true;
  }
  await new Promise<void>((resolve) => {
    const s = fs.createReadStream(file!);
    s.on('error', (err) => {
      log.warn(`download of ${job.id} failed`, err);
      res.destroy(err);
      resolve();
    });
    res.on('close', () => resolve());
    s.pipe(res);
  });
  if (temp) fs.rmSync(temp, { force: true });
  return true;
}
