/**
 * gatehouse smtp set|show|test|remove: the SMTP server for e-mail notices
 * (config.notifications.smtp; the password sealed like camera passwords).
 * Works with or without a running server; a running one picks it up at once.
 */
import { ApiError } from '../../api/contract.js';
import { EmailAddress, NotifySetup, SMTP_TLS, SmtpUrl } from '../../api/notify.js';
import { notifySetupOf, settingsOf } from '../../engine/config/schema.js';
import { sendMail } from '../../engine/notify/email.js';
import { emailOf } from '../../engine/notify/message.js';
import { setSmtp, smtpView } from '../../engine/notify/settings.js';
import { zoneOrSystem } from '../../engine/util/time-zone.js';
import { printable } from '../../engine/util/printable.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, secretArg, type Command } from '../args.js';
import { auditCli } from '../audit-cli.js';
import { openConfig } from '../offline.js';
import path from 'node:path';

const USAGE = `Usage:
  gatehouse smtp set --url smtp://HOST:PORT [--from ADDR] [--user U (--password-stdin | --password P)] [--tls starttls|implicit|none] [--ca FILE] [--public-url URL]
  gatehouse smtp show [--json]
  gatehouse smtp test --to ADDR
  gatehouse smtp remove

The password is sealed in config.json like camera passwords. --public-url is the console's address as
recipients reach it (https://nvr.example.org:8780): e-mails link to the alarm there.`;

function check<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } },
  v: unknown,
  flag: string,
): T {
  const r = schema.safeParse(v);
  if (!r.success) throw new CliError(`${flag}: ${r.error.issues[0]!.message}`);
  return r.data;
}

async function set(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    'gatehouse smtp set --url smtp://HOST:PORT [--from ADDR] [--user U --password-stdin] [--tls starttls|implicit|none] [--ca FILE] [--public-url URL] [--data DIR]',
    {
      ...dataOption,
      url: { type: 'string' },
      from: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      'no-password': { type: 'boolean' },
      tls: { type: 'string' },
      ca: { type: 'string' },
      'no-ca': { type: 'boolean' },
      'public-url': { type: 'string' },
    },
    [
      { flag: '--url URL', help: 'smtp://HOST:PORT (587 STARTTLS, 25) or smtps://HOST:PORT (465, implicit TLS)' },
      { flag: '--from ADDR', help: 'the sender address (required the first time)' },
      { flag: '--user U', help: 'log in as this user' },
      { flag: '--password-stdin', help: 'read the password from the first line of stdin (keeps it out of the process list)' },
      { flag: '--password P', help: 'the password (other local users can see it in the process list while the command runs)' },
      { flag: '--no-password', help: 'forget the stored password' },
      {
        flag: '--tls MODE',
        help: 'starttls (default: STARTTLS required), implicit (TLS from the start), none (plain text: only for a relay on this machine)',
      },
      { flag: '--ca FILE', help: "also trust this CA certificate (PEM) for the server's certificate; it is always checked" },
      { flag: '--no-ca', help: 'forget the CA file' },
      { flag: '--public-url URL', help: "the console's address as recipients reach it, for links in e-mails" },
      dataHelp,
    ],
  );
  if (!a) return 0;
  const v = a.values;
  if (!v.url) throw new CliError('--url smtp://HOST:PORT is required (gatehouse smtp remove takes the server away)');
  const url = check(SmtpUrl, v.url, '--url');
  const from = v.from === undefined ? undefined : check(EmailAddress, v.from, '--from');
  const tls = v.tls as string | undefined;
  if (tls !== undefined && !(SMTP_TLS as readonly string[]).includes(tls))
    throw new CliError(`--tls: "${tls}" is not one of ${SMTP_TLS.join(', ')}`);
  const password = await secretArg(v, 'password');
  if (password !== undefined && v['no-password']) throw new CliError('give a password or --no-password, not both');
  let caFile: string | null | undefined = v['no-ca'] ? null : undefined;
  if (v.ca) caFile = path.resolve(v.ca as string);
  const publicUrl =
    v['public-url'] === undefined
      ? undefined
      : check(NotifySetup.shape.publicUrl, (v['public-url'] as string).replace(/\/+$/, ''), '--public-url');
  const { store, paths, secrets } = await openConfig(dataDirOf(v));
  let view;
  try {
    view = await setSmtp(store, secrets, {
      url,
      from,
      user: v.user as string | undefined,
      password: v['no-password'] ? null : password,
      tls: tls as 'starttls' | 'implicit' | 'none' | undefined,
      caFile,
      publicUrl,
    });
  } catch (err) {
    throw err instanceof ApiError ? new CliError(err.message) : err;
  }
  auditCli(
    paths,
    {
      action: 'smtp.set',
      target: null,
      details: {
        url,
        from: view.from,
        user: view.user,
        tls: view.tls,
        caFile: view.caFile,
        publicUrl: view.publicUrl,
        passwordChanged: password !== undefined || !!v['no-password'],
      },
    },
    store.data,
  );
  console.log(
    `SMTP server set: ${printable(url)} (${view.tls}${view.caFile ? `, CA ${printable(view.caFile)}` : ''}), from ${printable(view.from ?? '')}${view.user ? `, user ${printable(view.user)}${view.hasPassword ? ' with a sealed password' : ''}` : ''}.`,
  );
  if (view.tls === 'none')
    console.log('Warning: --tls none sends the password and the notices in plain text; use it only for a relay on this machine.');
  if (!view.publicUrl) console.log('Tip: give --public-url https://HOST:PORT so that e-mails link to the alarm in the console.');
  console.log('Check it with: gatehouse smtp test --to YOUR-ADDRESS');
  return 0;
}

export const smtpCommand: Command = {
  name: 'smtp',
  summary: 'the SMTP server for e-mail notices: set, show, test, remove',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log(USAGE);
      return sub ? 0 : 2;
    }
    if (sub === 'set') return set(rest);
    if (sub === 'show') {
      const a = parse(rest, 'gatehouse smtp show [--json] [--data DIR]', { ...dataOption, json: { type: 'boolean' } }, [
        { flag: '--json', help: 'print JSON' },
        dataHelp,
      ]);
      if (!a) return 0;
      const { store } = await openConfig(dataDirOf(a.values));
      const v = smtpView(notifySetupOf(store.data));
      if (a.values.json) console.log(JSON.stringify(v, null, 2));
      else if (!v.configured) console.log('No SMTP server is set. Set one with: gatehouse smtp set --url smtp://HOST:PORT --from ADDR');
      else
        console.log(
          [
            `url         ${v.url}`,
            `from        ${v.from}`,
            `user        ${v.user ?? '-'}`,
            `password    ${v.hasPassword ? 'set (sealed)' : '-'}`,
            `tls         ${v.tls}`,
            `ca file     ${v.caFile ?? '-'}`,
            `public url  ${v.publicUrl ?? '- (e-mails cannot link to the alarm)'}`,
          ]
            .map(printable)
            .join('\n'),
        );
      return 0;
    }
    if (sub === 'test') {
      const a = parse(rest, 'gatehouse smtp test --to ADDR [--data DIR]', { ...dataOption, to: { type: 'string' } }, [
        { flag: '--to ADDR', help: 'send the test e-mail here' },
        dataHelp,
      ]);
      if (!a) return 0;
      if (!a.values.to) throw new CliError('--to ADDR is required');
      const to = check(EmailAddress, a.values.to, '--to');
      const { store, secrets } = await openConfig(dataDirOf(a.values));
      const s = notifySetupOf(store.data);
      const mail = emailOf({
        alarm: null,
        kind: 'test',
        level: 1,
        recipient: to,
        cameraName: null,
        publicUrl: s.publicUrl,
        timeZone: zoneOrSystem(settingsOf(store.data).timeZone),
        now: Date.now(),
      });
      try {
        const answer = await sendMail(s.smtp, secrets, { to, ...mail });
        console.log(`The SMTP server accepted the test e-mail to ${printable(to)}: ${printable(answer)}`);
        return 0;
      } catch (err) {
        throw new CliError(`the test e-mail was not sent: ${(err as Error).message}`, 1);
      }
    }
    if (sub === 'remove') {
      const a = parse(rest, 'gatehouse smtp remove [--data DIR]', { ...dataOption }, [dataHelp]);
      if (!a) return 0;
      const { store, paths, secrets } = await openConfig(dataDirOf(a.values));
      await setSmtp(store, secrets, { url: null });
      auditCli(paths, { action: 'smtp.set', target: null, details: { url: null } }, store.data);
      console.log('SMTP server removed: e-mail notices fail (and say so) until one is set again.');
      return 0;
    }
    throw new CliError(`unknown subcommand "smtp ${sub}"\n${USAGE}`);
  },
};
