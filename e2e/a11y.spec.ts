/**
 * Accessibility of every view (issue 14): axe-core, injected by the test
 * runner (@axe-core/playwright evaluates axe through the DevTools protocol,
 * so the console's content-security policy stays as strict as it is:
 * `script-src 'self'`, no eval), finds no serious or critical violation on
 * Live, Playback, Alarms (each sub-tab), Cameras and Settings (each tab),
 * with an open alarm on screen (tinted rows, banner, outlined tile).
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, login, test } from './helpers/server.js';

async function serious(page: Page, where: string): Promise<string[]> {
  // Let the view settle (video tiles connect, lists load).
  await page.waitForTimeout(500);
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${where}: ${v.id} (${v.impact}) ${v.help}\n    ${v.nodes
      .slice(0, 4)
      .map((n) => `${n.target.join(' ')} ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`)
      .join('\n    ')}`);
}

test('axe: no serious or critical violation on any view; the CSP stays strict', async ({ page, server }) => {
  test.setTimeout(180_000);
  const admin = await server.token();
  const cams = (await server.rpc('cameras.list', {}, admin)).body as { id: string }[];
  // An open P1 and a P3-ish alarm: banner, tinted rows, outlined tile.
  expect((await server.rpc('alarms.panic', { cameraId: cams[0]!.id, comment: 'axe check' }, admin)).status).toBe(200);
  await login(page, server);

  const res = await page.request.get(server.url + '/');
  const csp = res.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toMatch(/script-src[^;]*(unsafe-eval|unsafe-inline)/);

  const found: string[] = [];
  const visit = async (hash: string, ready: string, where: string) => {
    await page.goto(`${server.url}/${hash}`);
    await expect(page.getByTestId(ready).first()).toBeVisible();
    found.push(...(await serious(page, where)));
  };
  await visit('#/live', 'view-live', 'Live');
  await expect(page.locator('[data-testid^=tile-][data-alarm]')).toHaveCount(1);
  await visit('#/playback', 'view-playback', 'Playback');
  await visit('#/alarms', 'alarm-queue-view', 'Alarms › Queue');
  await visit('#/alarms?tab=history', 'ah-scroll', 'Alarms › History');
  await visit('#/alarms?tab=access', 'view-alarms', 'Alarms › Access log');
  await visit('#/alarms?tab=audit', 'view-alarms', 'Alarms › Audit');
  await visit('#/cameras', 'camera-table', 'Cameras');
  for (const tab of ['settings', 'zones', 'motion']) {
    await visit(`#/cameras?detection=demo-campus-vtest&tab=${tab}`, 'detection-page', `Cameras › Detection › ${tab}`);
  }
  await visit('#/review?kind=all', 'view-review', 'Review');
  await visit('#/people', 'view-people', 'People');
  for (const tab of ['general', 'storage', 'users', 'notifications', 'oncall', 'console', 'account', 'about']) {
    await visit(`#/settings?tab=${tab}`, 'view-settings', `Settings › ${tab}`);
  }
  await visit('#/rules', 'rules-table', 'Rules');
  await page.keyboard.press('n');
  await expect(page.getByTestId('rule-editor')).toBeVisible();
  found.push(...(await serious(page, 'Rules › editor')));
  await visit('#/rules?tab=arming', 'arming-tab', 'Rules › Arming');
  await visit('#/rules?tab=setup', 'setup-tab', 'Rules › Alarm setup');
  await page.keyboard.press('Shift+M');
  await expect(page.getByTestId('arming-dialog')).toBeVisible();
  found.push(...(await serious(page, 'Arming dialog')));
  expect(found, found.join('\n')).toEqual([]);
});
