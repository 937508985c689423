// With WebAssembly: the page hydrates under the strict CSP (no violations, no errors), the live address
// preview works (it only can once the WebAssembly runs), and the form creates a workspace.
import { expect, test } from '@playwright/test';
import { recordProblems, slugOf, uniqueName, waitForHydration } from './support';

test('the page hydrates under the CSP and creates a workspace', async ({ page }) => {
  const problems = recordProblems(page);
  const response = await page.goto('/');
  expect(response?.headers()['content-security-policy']).toContain("'nonce-");

  await waitForHydration(page);
  const preview = page.getByTestId('address-preview');
  await expect(preview).toHaveText("Type a name to see your workspace's address.");

  const name = uniqueName('Hydrated Co');
  await page.getByLabel('Workspace name').fill(name);
  await expect(preview).toHaveText(`Your workspace's address will be /w/${slugOf(name)}`);

  await page.getByLabel('Workspace name').fill('A');
  await expect(preview).toHaveText('Workspace name must be at least 2 characters long.');

  await page.getByLabel('Workspace name').fill(name);
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page).toHaveURL(new RegExp(`/w/${slugOf(name)}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
  await expect(page.getByTestId('workspace')).toContainText('database of its own');

  expect(problems).toEqual([]);
});

test('a server-side refusal is shown next to the field without leaving the page', async ({ page }) => {
  const problems = recordProblems(page);
  await page.goto('/');
  await waitForHydration(page);
  // Spaces satisfy the browser's `required`, but the server trims them and refuses.
  await page.getByLabel('Workspace name').fill('    ');
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.locator('#workspace-name-error')).toHaveText('Workspace name is required.');
  await expect(page).toHaveURL(/\/$/);
  // The refusal is answered with 422, which Chromium reports on the console; nothing else may appear.
  expect(problems.filter((p) => !p.includes('status of 422'))).toEqual([]);
});

test('unknown pages show the 404 page', async ({ page }) => {
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
});
