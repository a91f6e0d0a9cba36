import { openIndex } from '../../engine/store/db.js';
import { resolveFfmpeg } from '../../engine/media/ffmpeg.js';
import { DataPaths } from '../../engine/paths.js';
import { rebuildIndex } from '../../engine/recording/rebuild.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, type Command } from '../args.js';
import { auditCli } from '../audit-cli.js';
import { runningServer } from '../offline.js';

export const indexCommand: Command = {
  name: 'index',
  summary: 'rebuild the recordings index from the media files',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log('Usage: gatehouse index rebuild [--data DIR] [--json]\n\nRecreates every segment row from the files under recordings/. Stop the server first.');
      return sub ? 0 : 2;
    }
    if (sub !== 'rebuild') throw new CliError(`unknown subcommand "index ${sub}"; use rebuild`);
    const a = parse(rest, 'gatehouse index rebuild [--data DIR] [--json]', { ...dataOption, json: { type: 'boolean' } }, [dataHelp, { flag: '--json', help: 'print the result as JSON' }]);
    if (!a) return 0;
    const paths = new DataPaths(dataDirOf(a.values));
    const srv = runningServer(paths);
    if (srv) throw new CliError(`a server (pid ${srv.pid}) is running on ${paths.root}; stop it before rebuilding the index`, 1);
    const db = openIndex(paths.index);
    let r: Awaited<ReturnType<typeof rebuildIndex>>;
    try {
      r = await rebuildIndex(db, paths, resolveFfmpeg());
    } finally {
      db.close();
    }
    auditCli(paths, { action: 'index.rebuild', target: null, details: { segments: r.segments, cameras: r.cameras } });
    if (a.values.json) console.log(JSON.stringify(r));
    else console.log(`Index rebuilt: ${r.segments} segment(s) from ${r.cameras} camera folder(s).`);
    return 0;
  },
};
