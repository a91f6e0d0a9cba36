/**
 * What a notice says, on each channel: the e-mail's subject, text and HTML,
 * the push payload's fields, the JSON of MQTT and webhook notices. Pure.
 */
import { PRIORITIES, type Alarm } from '../../api/alarms.js';
import type { Channel, NoticeKind } from '../../api/notify.js';

export interface NoticeContext {
  alarm: Alarm | null;
  kind: NoticeKind;
  level: number;
  /** Who it goes to (a contact's name, a user). */
  recipient: string;
  /** The alarm's first camera, by name. */
  cameraName: string | null;
  /** The console's public URL (config), else null: links are then relative. */
  publicUrl: string | null;
  /** The site's time zone, for times in words. */
  timeZone: string;
  now: number;
}

export const CHANNEL_LABEL: Record<Channel, string> = { push: 'push', email: 'e-mail', mqtt: 'MQTT', webhook: 'webhook' };

/** The console's link to an alarm (hash route), absolute when the public URL is known. */
export function alarmLink(publicUrl: string | null, alarmId: number | null): string {
  const route = alarmId === null ? '#/alarms' : `#/alarms?alarm=${alarmId}`;
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}/${route}` : `/${route}`;
}

function localTime(iso: string, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'medium', timeZoneName: 'short' }).format(
      new Date(iso),
    );
  } catch {
    return iso;
  }
}

function headline(c: NoticeContext): string {
  const a = c.alarm;
  if (!a) return 'Gatehouse test notice';
  const p = `P${a.priority} ${PRIORITIES[a.priority].label}`;
  if (c.kind === 'escalation') return `${p}, not acknowledged: ${a.title}`;
  return `${p}: ${a.title}`;
}

function lines(c: NoticeContext): string[] {
  const a = c.alarm;
  if (!a) {
    return [
      `This is a test notice from Gatehouse for ${c.recipient}, sent ${localTime(new Date(c.now).toISOString(), c.timeZone)}.`,
      'If you got it, this channel works. Nothing needs to be done.',
    ];
  }
  const out = [
    `Alarm #${a.id}: ${a.title}`,
    `Priority ${a.priority} (${PRIORITIES[a.priority].label}), ${a.state.replace('_', ' ')}${a.count > 1 ? `, ${a.count} times` : ''}`,
    `Raised ${localTime(a.createdAt, c.timeZone)}`,
  ];
  if (c.cameraName) out.push(`Camera: ${c.cameraName}${a.cameraIds.length > 1 ? ` (+${a.cameraIds.length - 1} more)` : ''}`);
  if (a.zone) out.push(`Zone: ${a.zone}`);
  if (c.kind === 'escalation') {
    const mins = Math.max(0, Math.round((c.now - Date.parse(a.createdAt)) / 60_000));
    out.push(
      `Nobody has acknowledged it for ${mins < 1 ? 'less than a minute' : `${mins} min`}: you are told as level ${c.level} of the on-call ladder.`,
    );
  }
  return out;
}

export function emailOf(c: NoticeContext): { subject: string; text: string; html: string } {
  const link = alarmLink(c.publicUrl, c.alarm?.id ?? null);
  const subject = `[Gatehouse] ${headline(c)}`.replace(/[\r\n]+/g, ' ').slice(0, 200);
  const body = lines(c);
  const sop = c.alarm?.sop ? `\nProcedure:\n${c.alarm.sop}\n` : '';
  const linkLine = c.publicUrl
    ? `Open it in the console: ${link}`
    : `Open it in the console (Alarms, #${c.alarm?.id ?? ''}); the console's public URL is not set (gatehouse smtp set --public-url URL).`;
  const text = `${body.join('\n')}\n${sop}\n${c.alarm ? linkLine : ''}\n\n-- \nGatehouse. You get this because you are an on-call contact.\n`;
  const esc = (s: string) => s.replace(/[&<>"']/g, (m) => `&#${m.charCodeAt(0)};`);
  const html =
    `<div style="font-family:sans-serif;font-size:14px">` +
    body.map((l, i) => (i === 0 ? `<p><b>${esc(l)}</b></p>` : `<div>${esc(l)}</div>`)).join('') +
    (c.alarm && c.alarm.media.length
      ? `<p><img src="cid:snapshot" alt="snapshot of ${esc(c.cameraName ?? 'the camera')}" style="max-width:640px"></p>`
      : '') +
    (c.alarm?.sop ? `<p><b>Procedure</b><br>${esc(c.alarm.sop).replace(/\n/g, '<br>')}</p>` : '') +
    (c.alarm && c.publicUrl ? `<p><a href="${esc(link)}">Open alarm #${c.alarm.id} in the console</a></p>` : '') +
    `</div>`;
  return { subject, text, html };
}

export function pushTextOf(c: NoticeContext): { title: string; body: string } {
  const a = c.alarm;
  if (!a) return { title: 'Gatehouse test notice', body: `Push works for ${c.recipient}.` };
  const title = headline(c).slice(0, 120);
  const parts = [
    c.cameraName,
    a.zone,
    a.count > 1 ? `${a.count}×` : null,
    c.kind === 'escalation' ? `level ${c.level}, unacknowledged` : null,
  ].filter(Boolean);
  return { title, body: (parts.join(' · ') || a.type).slice(0, 200) };
}

/** The JSON of MQTT and webhook notices. */
export function jsonNoticeOf(c: NoticeContext): Record<string, unknown> {
  const a = c.alarm;
  return {
    event: c.kind === 'test' ? 'test' : 'notice',
    sender: 'gatehouse',
    kind: c.kind,
    level: c.level,
    recipient: c.recipient,
    time: new Date(c.now).toISOString(),
    link: alarmLink(c.publicUrl, a?.id ?? null),
    alarm: a
      ? {
          id: a.id,
          type: a.type,
          title: a.title,
          priority: a.priority,
          state: a.state,
          createdAt: a.createdAt,
          cameraIds: a.cameraIds,
          zone: a.zone,
          count: a.count,
        }
      : null,
  };
}

/** A shortened e-mail address for lists and history: "s…@example.org". */
export function maskEmail(addr: string): string {
  const at = addr.lastIndexOf('@');
  if (at < 1) return '…';
  return `${addr[0]}…${addr.slice(at)}`;
}
