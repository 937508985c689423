// A workspace's backups page (OPS2, UX2): the owner backs the workspace up, follows the progress until
// the page says the backup is verified, then restores it onto live after typing the workspace's address,
// and finds the backup of the state before the restore in the list; opens a backup beside live and
// browses the read-only copy; and has a portable copy of the workspace made, downloads it and opens it
// with SQLite.
// Desktop and phone projects both run it.
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
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

test('an owner opens a backup beside live and browses the read-only copy [Proves: OPS2]', async ({ page, request }) => {
  const problems = recordProblems(page);
  const base = await ownerWithWorkspace(page, request, 'Looking Back Ltd');
  await page.getByRole('link', { name: 'Suppliers' }).click();
  await page.getByLabel('Supplier name').fill('Before The Backup AG');
  await page.getByRole('button', { name: 'Add supplier' }).click();
  await expect(page.getByTestId('suppliers')).toContainText('Before The Backup AG');

  await page.goto(`${base}/admin/backups`);
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Back up now' }).click();
  await expect(page.getByTestId('backup-outcome')).toHaveText('The backup is made and verified.', { timeout: 30_000 });

  // A supplier added after the backup is live, not in the copy.
  await page.goto(`${base}/suppliers`);
  await page.getByLabel('Supplier name').fill('After The Backup AG');
  await page.getByRole('button', { name: 'Add supplier' }).click();
  await expect(page.getByTestId('suppliers')).toContainText('After The Backup AG');

  await page.goto(`${base}/admin/backups`);
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Open a read-only copy' }).click();
  await expect(page.getByTestId('backup-outcome')).toHaveText('The copy is open.', { timeout: 30_000 });
  await page.getByTestId('copy-link').click();
  await expect(page).toHaveURL(new RegExp(`${base}/admin/backups/copy$`));
  await expect(page.getByTestId('copy-banner')).toContainText('Read-only copy of the backup taken');
  await expect(page.getByTestId('copy-banner')).toContainText('This is not live data');
  await expect(page.getByTestId('copy-suppliers')).toContainText('Before The Backup AG');
  await expect(page.getByTestId('copy-suppliers')).not.toContainText('After The Backup AG');
  await expectAccessible(page, 'a backup open beside live');

  await waitForHydration(page);
  await page.getByRole('button', { name: 'Close and remove the copy' }).click();
  await expect(page.getByTestId('copy-none')).toBeVisible();
  expect(problems).toEqual([]);
});

// Opens the zip's SQLite file with Python's standard library (no Strongroom code, and Node 20 has no SQLite).
const OPEN_WITH_SQLITE = `
import os, sqlite3, sys, tempfile, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, tempfile.TemporaryDirectory() as d:
    z.extract("workspace.sqlite", d)
    db = sqlite3.connect(os.path.join(d, "workspace.sqlite"))
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    print(db.execute("SELECT name FROM workspace_profile").fetchone()[0])
    print(db.execute("SELECT email FROM members").fetchone()[0])
`;

test('an owner downloads a portable copy of the workspace and opens it with SQLite [Proves: OPS2]', async ({ page, request }) => {
  const problems = recordProblems(page);
  const base = await ownerWithWorkspace(page, request, 'Portable Ltd');
  const slug = base.split('/').pop()!;
  const owner = (await page.getByTestId('signed-in-as').textContent())!.trim();
  await page.goto(`${base}/admin/backups`);
  await waitForHydration(page);

  // A wrong password brings the page back with the refusal; nothing is made.
  await page.getByLabel('Your password, to confirm').fill('not the password');
  await page.getByRole('button', { name: 'Make the copy' }).click();
  await expect(page.getByTestId('export-error')).not.toBeEmpty();
  await expectAccessible(page, 'the backups page, export refused');

  // The copy is made in the background; the page follows it, then offers the download.
  await waitForHydration(page);
  await page.getByLabel('Your password, to confirm').fill(PASSWORD);
  await page.getByRole('button', { name: 'Make the copy' }).click();
  await expect(page.getByTestId('backup-outcome')).toHaveText('Your copy is ready: download it below.', { timeout: 30_000 });
  await expect(page.getByTestId('export-download')).toContainText('It can be downloaded once.');
  await expectAccessible(page, 'the backups page, an export ready');
  const download = page.waitForEvent('download');
  await page.getByTestId('export-download').getByRole('button', { name: 'Download' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(new RegExp(`^${slug}-\\d{8}-\\d{6}\\.zip$`));
  const opened = execFileSync('python3', ['-c', OPEN_WITH_SQLITE, (await file.path())!], { encoding: 'utf8' });
  expect(opened.trim().split('\n')).toEqual([expect.stringContaining('Portable Ltd'), owner]);
  expect(problems).toEqual([]);
});
