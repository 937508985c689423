// A workspace's backups page (OPS2, UX2): the owner backs the workspace up, follows the progress until
// the page says the backup is verified, then restores it onto live after typing the workspace's address,
// and finds the backup of the state before the restore in the list; and downloads a portable copy of
// the workspace with a passphrase. Desktop and phone projects both run it.
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { PASSWORD, expectAccessible, ownerWithWorkspace, recordProblems, waitForHydration } from './support';

test.setTimeout(120_000);

test('an owner backs up, follows the progress and restores the backup onto live [Proves: OPS2, UX2]', async ({ page, request }) => {
  const problems = recordProblems(page);
  const base = await ownerWithWorkspace(page, request, 'Backed Up Ltd');
  const slug = base.split('/').pop()!;

  await page.getByRole('link', { name: 'Backups' }).click();
  await expect(page).toHaveURL(new RegExp(`${base}/admin/backups$`));
  await waitForHydration(page);
  await expect(page.getByTestId('backups-empty')).toHaveText('No backups yet.');
  await expectAccessible(page, 'the backups page, empty');

  await page.getByRole('button', { name: 'Back up now' }).click();
  // The status region shows the operation, then how it ended, without reloading the page.
  await expect(page.getByTestId('backup-operation')).toContainText('Backup started');
  await expect(page.getByTestId('backup-outcome')).toHaveText('The backup is made and verified.', { timeout: 30_000 });
  await expect(page.getByTestId('backups').locator('tbody tr')).toHaveCount(1);
  await expect(page.getByTestId('backups').locator('tbody tr').first()).toContainText('Verified');

  // Restoring takes the workspace's address; a wrong one is refused next to the field.
  await page.getByLabel(`Type the workspace address “${slug}” to confirm`).fill('not it');
  await page.getByRole('button', { name: 'Restore onto live' }).click();
  await expect(page.locator('#restore-confirm-error')).not.toBeEmpty();
  await page.getByLabel(`Type the workspace address “${slug}” to confirm`).fill(slug);
  await page.getByRole('button', { name: 'Restore onto live' }).click();
  await expect(page.getByTestId('backup-outcome')).toHaveText(
    'The backup is restored onto live. A backup of the state before it is in the list.',
    { timeout: 30_000 },
  );
  // The backup of the state before the restore is the newest in the list (on the same day, retention
  // keeps it in the restored one's place).
  await expect(page.getByTestId('backups').locator('tbody tr').first()).toContainText('Verified');
  await expectAccessible(page, 'the backups page, after a restore');
  // The refused confirmation is answered with status 422, which the browser reports on its console.
  expect(problems.filter((p) => !p.includes('status of 422'))).toEqual([]);
});

test('an owner downloads a portable copy of the workspace protected by a passphrase [Proves: OPS2]', async ({ page, request }) => {
  const problems = recordProblems(page);
  const base = await ownerWithWorkspace(page, request, 'Portable Ltd');
  const slug = base.split('/').pop()!;
  await page.goto(`${base}/admin/backups`);
  await waitForHydration(page);

  // A wrong password brings the page back with the refusal; nothing is downloaded.
  await page.getByLabel('Your password, to confirm').fill('not the password');
  await page.getByRole('button', { name: 'Download the copy' }).click();
  await expect(page.getByTestId('export-error')).not.toBeEmpty();
  await expectAccessible(page, 'the backups page, export refused');

  await page.getByLabel('Your password, to confirm').fill(PASSWORD);
  await page.getByLabel('Passphrase for the zip (optional, at least 12 characters)').fill('plum-jam-12!');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download the copy' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(new RegExp(`^${slug}-\\d{8}-\\d{6}\\.zip$`));
  const bytes = readFileSync((await file.path())!);
  expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
  expect(bytes.length).toBeGreaterThan(1000);
  expect(problems).toEqual([]);
});
