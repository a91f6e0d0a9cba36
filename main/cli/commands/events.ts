/**
 * `gatehouse events list`: object events (the review list) from the index,
 * with their zones, whether an alarm was raised for them, and who reviewed
 * them. Reads the database directly; works while a server runs.
 *
 *   events list [--camera NAME] [--label L] [--zone Z] [--from T] [--to T] [--kind all|alerts|detections] [--limit N] [--json]
 */
import fs from 'node:fs';
import { REVIEW_KINDS, type ReviewItem, type ReviewKind } from '../../api/detection.js';
import { ReviewStore } from '../../engine/detection/review.js';
import { openIndex } from '../../engine/store/db.js';
import { findZones } from '../../engine/zones/store.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, parseTime, table, type Command } from '../args.js';
import { openConfig } from '../offline.js';
import { cameraOf, parseLabels } from './detection-common.js';

const USAGE = `Usage:
  gatehouse events list [--camera NAME] [--label L] [--zone Z] [--from TIME] [--to TIME] [--kind all|alerts|detections] [--limit N] [--json] [--data DIR]

Object events (one per tracked object), newest first, default the last 24 hours. An alert is an object event an
alarm was raised for; the others are detections. Reads the database directly and works while a server runs.`;

async function list(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    'gatehouse events list [--camera NAME] [--label L] [--zone Z] [--from TIME] [--to TIME] [--kind K] [--limit N] [--json] [--data DIR]',
    {
      ...dataOption,
      camera: { type: 'string' },
      label: { type: 'string' },
      zone: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      kind: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    },
    [
      { flag: '--camera NAME', help: 'only this camera (name or id)' },
      { flag: '--label L', help: 'person, vehicle, bicycle, motorcycle or animal' },
      { flag: '--zone Z', help: 'only objects that entered this zone (name or id)' },
      { flag: '--from TIME', help: 'ISO 8601, now, or relative like -1h (default -24h)' },
      { flag: '--to TIME', help: 'default now' },
      { flag: '--kind K', help: 'all (default), alerts (an alarm was raised) or detections' },
      { flag: '--limit N', help: 'at most N events (default 500)' },
      { flag: '--json', help: 'print a JSON array' },
      dataHelp,
    ],
  );
  if (!a) return 0;
  const kind = ((a.values.kind as string | undefined) ?? 'all') as ReviewKind;
  if (!(REVIEW_KINDS as readonly string[]).includes(kind)) throw new CliError(`--kind: "${kind}" is not one of ${REVIEW_KINDS.join(', ')}`);
  const limit = a.values.limit === undefined ? 500 : Number(a.values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new CliError(`--limit: "${String(a.values.limit)}" is not a whole number from 1 to 100000`);
  const label = a.values.label !== undefined ? parseLabels(a.values.label as string, '--label') : undefined;
  if (label && label.length > 1) throw new CliError('--label: give one label');
  const to = a.values.to ? parseTime(a.values.to as string, '--to') : Date.now();
  const from = a.values.from ? parseTime(a.values.from as string, '--from') : to - 86_400_000;
  if (to <= from) throw new CliError('--to must be after --from');
  const { store, paths } = await openConfig(dataDirOf(a.values));
  const cameraId = a.values.camera ? cameraOf(store.data, a.values.camera as string).id : undefined;
  let zoneIds: string[] | undefined;
  if (a.values.zone) {
    const ref = a.values.zone as string;
    zoneIds = findZones(store.data, ref, cameraId).map((z) => z.id);
    if (!zoneIds.length) {
      if (/^z_[a-z0-9]{4,32}$/.test(ref)) zoneIds = [ref];
      else throw new CliError(`no zone named "${ref}"${cameraId ? ` on ${cameraId}` : ''}; see "gatehouse zones list"`, 3);
    }
  }
  const items: ReviewItem[] = [];
  if (fs.existsSync(paths.index)) {
    const db = openIndex(paths.index);
    try {
      const review = new ReviewStore(db, paths.root);
      let cursor: string | null = null;
      do {
        const page = review.list({ cameraId, label: label?.[0], zoneIds, fromMs: from, toMs: to, kind }, cursor, Math.min(500, limit - items.length));
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor && items.length < limit);
    } finally {
      db.close();
    }
  }
  if (a.values.json) {
    console.log(JSON.stringify(items, null, 2));
    return 0;
  }
  if (!items.length) {
    console.log('No object events in that range.');
    return 0;
  }
  console.log(
    table(
      ['ID', 'START', 'END', 'CAMERA', 'LABEL', 'SCORE', 'ZONES', 'KIND', 'REVIEWED'],
      items.map((i) => [
        String(i.id),
        i.start,
        i.end ?? '(now)',
        i.cameraId,
        i.label,
        i.score.toFixed(2),
        i.zones.map((z) => z.name).join(',') || '-',
        i.alert ? `alert (alarm ${i.alarmIds.join(',')})` : 'detection',
        i.reviewed ? `${i.reviewed.by} ${i.reviewed.at}` : '-',
      ]),
    ),
  );
  return 0;
}

export const eventsCommand: Command = {
  name: 'events',
  summary: 'object events (the review list): alerts and detections, with zones and reviews (works while a server runs)',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log(USAGE);
      return sub ? 0 : 2;
    }
    if (sub === 'list') return list(rest);
    throw new CliError(`unknown subcommand "events ${sub}"\n${USAGE}`);
  },
};
