/**
 * Notifications in the real console (Chromium) against a real `gatehouse
 * serve`: Settings → Notifications subscribes this browser (the minimal
 * service worker with the push handlers registers; Chromium headless has no
 * push service it can reach here, so pushManager.subscribe is expected to
 * fail with a clear message, and the subscription API is then driven with a
 * synthetic subscription whose keys the test holds); a test push reaches a
 * push service on 127.0.0.1 and decrypts with those keys. Settings → On call:
 * a contact with no channel is refused, the e-mail server is set, an e-mail
 * contact is added and sent a test notice with the keyboard, which a real SMTP
 * server (smtp-server) receives; a rota is added with the keyboard (its
 * members picked and ordered) and says whose turn it is now; a device's
 * push camera filter is set to one camera and back to all cameras.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { browserKeys, decryptPush, startPushService, type PushService } from '../test/support/web-push-receiver.js';
import { expect, freePort, login, test } from './helpers/server.js';

let push: PushService;
let smtp: SMTPServer;
let smtpPort: number;
const mails: { to: string[]; raw: string }[] = [];

test.beforeAll(async () => {
  push = await startPushService();
  smtpPort = await freePort();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString()));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(smtpPort, '127.0.0.1', r));
});
test.afterAll(async () => {
  await push?.close();
  await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
});

/** The test's push service is on 127.0.0.1: the site's config lists it (a running server reloads config.json). */
function allowTestPushService(dataDir: string) {
  const file = path.join(dataDir, 'config.json');
  const cfg = JSON.parse(fs.readFileSync(file, 'utf8'));
  cfg.notifications = { ...(cfg.notifications ?? {}), pushHosts: ['127.0.0.1'], retrySeconds: [1] };
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(cfg, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

/** A datetime-local value for an instant, in the zone the console shows (the site's, else this browser's). */
const localInput = (ms: number, timeZone: string) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'short' }).format(ms).replace(' ', 'T');

test.describe('notifications', () => {
  test('subscribe this browser to push in Settings, and a test push reaches the push service encrypted for it', async ({
    page,
    context,
    server,
  }) => {
    allowTestPushService(server.dataDir);

    await context.grantPermissions(['notifications'], { origin: server.url });
    await login(page, server);
    await page.goto(server.url + '/#/settings?tab=notifications');
    await expect(page.getByTestId('settings-notifications')).toBeVisible();
    await expect(page.getByTestId('push-none')).toBeVisible();
    await page.getByTestId('push-label').fill('e2e Chromium');
    await page.getByTestId('push-priorities-3').check();
    await page.keyboard.press('Escape'); // leave the field so that S reaches the shortcut
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('s');
    // the service worker with the push handlers: the console's own (sw.js imports sw-push.js); sw-notify.js only where it has none
    await expect
      .poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration('/'))?.active?.scriptURL ?? null), {
        timeout: 15_000,
      })
      .toMatch(/\/sw\.js$/);
    const real = await Promise.race([
      page
        .getByTestId('push-here')
        .waitFor({ timeout: 20_000 })
        .then(() => 'subscribed' as const),
      page
        .getByTestId('push-error')
        .waitFor({ timeout: 20_000 })
        .then(() => 'no push service' as const),
    ]);
    if (real === 'no push service') {
      await expect(page.getByTestId('push-error')).toContainText("the browser's push service did not give a subscription");
      test.info().annotations.push({
        type: 'note',
        description:
          'Chromium headless could not reach a push service: pushManager.subscribe failed as expected; the API is driven with a synthetic subscription',
      });
    }

    // a synthetic subscription, as the browser would send it, from the page (same origin, the session cookie)
    const keys = browserKeys();
    const sub = await page.evaluate(
      async (b) => {
        const r = await fetch('/api/rpc/push.subscribe', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(b),
        });
        return { status: r.status, body: await r.json() };
      },
      { endpoint: `${push.url}/e2e-browser`, keys: { p256dh: keys.p256dh, auth: keys.auth }, label: 'synthetic', priorities: [1, 2] },
    );
    expect(sub.status, JSON.stringify(sub.body)).toBe(200);
    const row = page.getByTestId('push-row').filter({ hasText: 'synthetic' });
    await expect(row).toBeVisible();
    await expect(row.getByTestId(`push-row-prio-${sub.body.id}-1`)).toBeChecked();
    await row.click();
    await page.keyboard.press('t');
    await expect.poll(() => push.received.filter((r) => r.path === '/e2e-browser').length, { timeout: 20_000 }).toBe(1);
    const msg = JSON.parse(decryptPush(push.received.find((r) => r.path === '/e2e-browser')!.body, keys));
    expect(msg).toMatchObject({ v: 1, kind: 'test', title: 'Gatehouse test notice' });
    await expect(row).toContainText(/\d/); // last delivered time shown
    // revoke with the keyboard
    await row.click();
    await page.keyboard.press('x');
    await expect(page.getByTestId('push-row').filter({ hasText: 'synthetic' })).toHaveCount(0);
  });

  test('add an e-mail contact in On call and send it a test notice', async ({ page, server }) => {
    await login(page, server);
    await page.goto(server.url + '/#/settings?tab=oncall');
    await expect(page.getByTestId('settings-oncall')).toBeVisible();
    await expect(page.getByTestId('ladders-table').locator('tr')).toHaveCount(5);

    // the e-mail server, with the keyboard: M opens it
    await page.keyboard.press('m');
    const d = page.getByTestId('smtp-dialog');
    await expect(d).toBeVisible();
    await page.getByTestId('smtp-url').fill(`smtp://127.0.0.1:${smtpPort}`);
    await page.getByTestId('smtp-from').fill('gatehouse@example.org');
    await page.getByTestId('smtp-tls').selectOption('none');
    await page.getByTestId('smtp-public-url').fill('https://nvr.example.org:8780');
    await page.getByTestId('smtp-save').click();
    await expect(page.getByTestId('smtp-error')).toHaveCount(0);
    await page.getByTestId('smtp-test-to').fill('ops@example.org');
    await page.getByTestId('smtp-test').click();
    await expect(page.getByTestId('smtp-test-result')).toContainText('accepted the test e-mail to ops@example.org');
    await page.keyboard.press('Escape');
    await expect(d).toHaveCount(0);

    // N: a contact with no channel is refused, saying what to give
    await page.keyboard.press('n');
    await expect(page.getByTestId('contact-dialog')).toBeVisible();
    await page.keyboard.type('Sam Supervisor');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('contact-dialog')).toContainText('a contact needs at least one channel');
    await page.getByTestId('contact-email').fill('sam@example.org');
    await page.getByTestId('contact-duty').fill('daily 00:00-00:00');
    await page.getByTestId('contact-email').press('Enter');
    await expect(page.getByTestId('contact-dialog')).toHaveCount(0);
    const row = page.getByTestId('contact-row').filter({ hasText: 'Sam Supervisor' });
    await expect(row).toContainText('sam@example.org');
    await expect(row).toContainText('on duty');

    // T: a test notice to the selected contact
    await row.click();
    const before = mails.length;
    await page.keyboard.press('t');
    await expect(page.getByTestId('notice-row').first()).toHaveAttribute('data-state', 'delivered', { timeout: 20_000 });
    await expect.poll(() => mails.slice(before).some((m) => m.to.includes('sam@example.org')), { timeout: 20_000 }).toBe(true);
  });

  test('add a rota in On call with the keyboard and see whose turn it is', async ({ page, server }) => {
    const admin = await server.token();
    for (const name of ['Ann Rota', 'Bob Rota']) {
      const r = await server.rpc('contacts.add', { name, email: `${name.split(' ')[0]!.toLowerCase()}@example.org`, level: 3 }, admin);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    await login(page, server);
    await page.goto(server.url + '/#/settings?tab=oncall');
    await expect(page.getByTestId('rotas-none')).toBeVisible();
    const timeZone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    const settings = (await server.rpc('settings.get', {}, admin)).body as { timeZone: string | null };
    const zone = settings.timeZone ?? timeZone;

    // R: a new rota; the name has the focus
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('r');
    const d = page.getByTestId('rota-dialog');
    await expect(d).toBeVisible();
    await page.keyboard.type('Weekly techs');
    // first turn nine days ago, a week each: the second member's turn now
    await page.getByTestId('rota-starts').fill(localInput(Date.now() - 9 * 86_400_000, zone));
    await page.getByTestId('rota-name').press('Enter');
    await expect(page.getByTestId('rota-members-error')).toHaveText('a rota needs at least one member');
    await page.getByTestId('rota-member-pick').selectOption({ label: 'Bob Rota (level 3)' });
    await page.getByTestId('rota-member-add').click();
    await page.getByTestId('rota-member-pick').selectOption({ label: 'Ann Rota (level 3)' });
    await page.getByTestId('rota-member-add').click();
    // Ann first: focus her row and Alt+↑
    await page.getByTestId('rota-member-ann-rota').getByRole('button', { name: 'Move Ann Rota up' }).focus();
    await page.keyboard.press('Alt+ArrowUp');
    await expect(page.getByTestId('rota-member-list').locator('li')).toHaveText([/1\. Ann Rota/, /2\. Bob Rota/]);
    await expect(page.getByTestId('rota-period')).toHaveValue('168');
    await expect(page.getByTestId('rota-preview')).toContainText('Now: Bob Rota until');
    await page.getByTestId('rota-name').press('Enter');
    await expect(d).toHaveCount(0);

    const row = page.getByTestId('rota-row').filter({ hasText: 'Weekly techs' });
    await expect(row.getByTestId('rota-now')).toHaveText('Bob Rota (2 of 2)');
    await expect(row.getByTestId('rota-until')).toContainText('then Ann Rota');
    await expect(row).toContainText('1 week');
    const stored = (await server.rpc('oncall.get', {}, admin)).body as { rotas: { id: string; startsAt: string; members: string[] }[] };
    expect(stored.rotas).toEqual([
      expect.objectContaining({ id: 'weekly-techs', members: ['ann-rota', 'bob-rota'], startsAt: expect.stringMatching(/Z$/) }),
    ]);
    // the contacts list agrees: Bob on duty, Ann not her turn
    await expect(page.getByTestId('contact-row').filter({ hasText: 'Bob Rota' })).toContainText('on duty');
    await expect(page.getByTestId('contact-row').filter({ hasText: 'Ann Rota' })).toContainText('off');
    // one rota added (never the whole list written back), audited as the console's rotas.add
    const audit = (await server.rpc('audit.list', { action: 'rotas.add' }, admin)).body as { items: { actor: string }[] };
    expect(audit.items[0]).toMatchObject({ actor: 'admin' });
    // admins only: a supervisor and a guard get 403 for the three
    for (const [username, role] of [
      ['sup-rota', 'supervisor'],
      ['guard-rota', 'guard'],
    ] as const) {
      expect([200, 409]).toContain((await server.rpc('users.add', { username, password: `${username}-password`, role }, admin)).status);
      const token = await server.token(username, `${username}-password`);
      for (const [method, params] of [
        ['rotas.add', { name: 'Sneaky', startsAt: '2026-01-05T07:00:00Z', members: ['ann-rota'] }],
        ['rotas.update', { id: 'weekly-techs', periodHours: 1 }],
        ['rotas.remove', { id: 'weekly-techs' }],
      ] as const) {
        expect((await server.rpc(method, params, token)).status, `${role} ${method}`).toBe(403);
      }
    }

    // Delete on the row asks first, then removes it
    await row.focus();
    await page.keyboard.press('Delete');
    await expect(page.getByTestId('rota-remove-dialog')).toContainText('Remove the rota Weekly techs?');
    await page.getByTestId('confirm-ok').click();
    await expect(page.getByTestId('rotas-none')).toBeVisible();
    const removed = (await server.rpc('audit.list', { action: 'rotas.remove' }, admin)).body as {
      items: { actor: string; target: string }[];
    };
    expect(removed.items[0]).toMatchObject({ actor: 'admin', target: 'weekly-techs' });
  });

  test("set a push device's camera filter in Notifications", async ({ page, server }) => {
    allowTestPushService(server.dataDir);
    const admin = await server.token();
    const cams = (await server.rpc('cameras.list', {}, admin)).body as { id: string; name: string }[];
    const cam = cams[0]!;
    await login(page, server);
    await page.goto(server.url + '/#/settings?tab=notifications');
    await expect(page.getByTestId('settings-notifications')).toBeVisible();
    const keys = browserKeys();
    const sub = await page.evaluate(
      async (b) => {
        const r = await fetch('/api/rpc/push.subscribe', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(b),
        });
        return { status: r.status, body: await r.json() };
      },
      { endpoint: `${push.url}/e2e-cameras`, keys: { p256dh: keys.p256dh, auth: keys.auth }, label: 'camera phone', priorities: [1] },
    );
    expect(sub.status, JSON.stringify(sub.body)).toBe(200);
    const row = page.getByTestId('push-row').filter({ hasText: 'camera phone' });
    await expect(row.getByTestId('push-row-cameras')).toContainText('All cameras');

    await row.getByTestId('push-cameras').click();
    const d = page.getByTestId('push-cameras-dialog');
    await expect(d).toBeVisible();
    await page.getByTestId('push-cams-some').check();
    await page.getByTestId(`push-cam-${cam.id}`).check();
    await page.getByTestId('push-cams-save').click();
    await expect(d).toHaveCount(0);
    await expect(row.getByTestId('push-row-cameras')).toContainText(cam.name);
    const listed = (await server.rpc('push.list', {}, admin)).body as { id: number; cameraIds: string[] | null }[];
    expect(listed.find((x) => x.id === sub.body.id)!.cameraIds).toEqual([cam.id]);

    // C on the selected device: back to all cameras
    await row.focus();
    await page.keyboard.press('c');
    await expect(d).toBeVisible();
    await page.getByTestId('push-cams-all').check();
    await page.getByTestId('push-cams-save').click();
    await expect(row.getByTestId('push-row-cameras')).toContainText('All cameras');
    const again = (await server.rpc('push.list', {}, admin)).body as { id: number; cameraIds: string[] | null }[];
    expect(again.find((x) => x.id === sub.body.id)!.cameraIds).toBeNull();
    await server.rpc('push.remove', { id: sub.body.id }, admin);
  });
});
