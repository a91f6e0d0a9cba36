/**
 * The `gatehouse` command. Each subcommand lives in its own file under
 * main/cli/commands/ and registers itself in COMMANDS below.
 */
import { packageVersion } from '../engine/paths.js';
import { printable } from '../engine/util/printable.js';
import { CliError, type Command } from './args.js';
import { serveCommand } from './commands/serve.js';
import { startCommand } from './commands/start.js';
import { camerasCommand } from './commands/cameras.js';
import { recordingsCommand } from './commands/recordings.js';
import { indexCommand } from './commands/index-cmd.js';
import { doctorCommand } from './commands/doctor.js';
import { discoverCommand } from './commands/discover.js';
import { usersCommand } from './commands/users.js';
import { alarmsCommand } from './commands/alarms.js';
import { auditCommand } from './commands/audit.js';
import { exportCommand } from './commands/export.js';
import { evidenceCommand } from './commands/evidence.js';
import { masksCommand } from './commands/masks.js';
import { smtpCommand } from './commands/smtp.js';
import { contactsCommand } from './commands/contacts.js';
import { rotasCommand } from './commands/rotas.js';
import { rulesCommand } from './commands/rules.js';
import { armingCommand } from './commands/arming.js';
import { doorsCommand } from './commands/doors.js';
import { sensorsCommand } from './commands/sensors.js';
import { detectionCommand } from './commands/detection.js';
import { eventsCommand } from './commands/events.js';
import { zonesCommand } from './commands/zones.js';
import { facesCommand } from './commands/faces.js';
import { peopleCommand } from './commands/people.js';

const COMMANDS: Command[] = [
  serveCommand,
  startCommand,
  camerasCommand,
  recordingsCommand,
  indexCommand,
  usersCommand,
  alarmsCommand,
  rulesCommand,
  armingCommand,
  doorsCommand,
  sensorsCommand,
  auditCommand,
  exportCommand,
  evidenceCommand,
  masksCommand,
  detectionCommand,
  zonesCommand,
  eventsCommand,
  facesCommand,
  peopleCommand,
  smtpCommand,
  contactsCommand,
  rotasCommand,
  discoverCommand,
  doctorCommand,
];

function usage(): string {
  const lines = [
    `gatehouse ${packageVersion()}: NVR engine and guard-station console`,
    '',
    'Usage: gatehouse <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`),
    '',
    'Run "gatehouse <command> --help" for the options of a command.',
    'The data dir defaults to the per-user app-data folder; --data DIR or GATEHOUSE_DATA overrides it.',
  ];
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(packageVersion());
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    console.error(`gatehouse: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return cmd.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined && code !== null && code !== -1) process.exitCode = code;
  },
  (err: unknown) => {
    // One message may span lines (usage); a control character from the input never reaches the terminal raw.
    const text = (m: string) => m.split('\n').map(printable).join('\n');
    if (err instanceof CliError) {
      console.error(`gatehouse: ${text(err.message)}`);
      process.exitCode = err.exitCode;
    } else {
      console.error(`gatehouse: ${text(String((err as Error).message ?? err))}`);
      if (process.env.GATEHOUSE_DEBUG) console.error(err);
      process.exitCode = 1;
    }
  },
);
