import fs from 'node:fs';
import { openIndex } from '../../engine/store/db.js';
import { findCamera } from '../../engine/cameras/catalog.js';
import { listRecordings } from '../../engine/recording/query.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, parseTime, table, type Command } from '../args.js';
import { openConfig } from '../offline.js';

export const recordingsCommand: Command = {
  name: 'recordings',
  summary: 'list recorded segments and gaps of a camera (works while a server runs)',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log('Usage: gatehouse recordings list --camera NAME --from TIME --to TIME [--json] [--data DIR]\n\nTIME is ISO 8601 (2026-11-26T08:00:00Z), "now", or relative (-1h, -30m, -2d).');
      return sub ? 0 : 2;
    }
    if (sub !== 'list') throw new CliError(`unknown subcommand "recordings ${sub}"; use list`);
    const a = parse(
      rest,
      'gatehouse recordings list --camera NAME --from TIME --to TIME [--json] [--data DIR]',
      { ...dataOption, camera: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } },
      [
        { flag: '--camera NAME', help: 'camera name or id' },
        { flag: '--from TIME', help: 'start (default -1h)' },
        { flag: '--to TIME', help: 'end (default now)' },
        { flag: '--json', help: 'print {"segments":[...],"gaps":[...]}' },
        dataHelp,
      ],
    );
    if (!a) return 0;
    if (!a.values.camera) throw new CliError('--camera is required');
    const from = parseTime((a.values.from as string | undefined) ?? '-1h', '--from');
    const to = parseTime((a.values.to as string | undefined) ?? 'now', '--to');
    if (to <= from) throw new CliError('--to must be after --from');
    const { store, paths } = await openConfig(dataDirOf(a.values));
    const cam = findCamera(store.data.cameras, a.values.camera as string);
    if (!cam) throw new CliError(`no camera named "${a.values.camera as string}"; see "gatehouse cameras list"`, 3);
    if (!fs.existsSync(paths.index)) {
      if (a.values.json) console.log(JSON.stringify({ segments: [], gaps: [] }));
      else console.log('Nothing recorded yet on this data dir.');
      return 0;
    }
    const db = openIndex(paths.index);
    try {
      const r = listRecordings(db, cam.id, from, to);
      if (a.values.json) console.log(JSON.stringify(r, null, 2));
      else {
        console.log(`${r.segments.length} segment(s), ${r.gaps.length} gap(s) for "${cam.name}"`);
        if (r.segments.length) console.log(table(['START', 'END', 'BYTES', 'PATH'], r.segments.map((s) => [s.start, s.end, String(s.bytes), s.path])));
        if (r.gaps.length) console.log('\n' + table(['GAP START', 'GAP END', 'REASON'], r.gaps.map((g) => [g.start, g.end, g.reason])));
      }
    } finally {
      db.close();
    }
    return 0;
  },
};
