// Without JavaScript (so without WebAssembly): the same form still creates a workspace through a plain
// form post, and a refusal comes back to the page, shown next to the field.
import { expect, test } from '@playwright/test';
import { slugOf, uniqueName } from './support';

test.use({ javaScriptEnabled: false });

test('the form creates a workspace with JavaScript disabled', async ({ page }) => {
  await page.goto('/');
  const name = uniqueName('Plain Form GmbH');
  await page.getByLabel('Workspace name').fill(name);
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page).toHaveURL(new RegExp(`/w/${slugOf(name)}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
});

test('a refusal is shown after a plain form post, and the next try succeeds', async ({ page }) => {
  await page.goto('/');
  // Spaces satisfy the browser's `required`, but the server trims them and refuses.
  await page.getByLabel('Workspace name').fill('   ');
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.locator('#workspace-name-error')).toHaveText('Workspace name is required.');
  await expect(page.getByLabel('Workspace name')).toHaveAttribute('aria-invalid', 'true');

  const name = uniqueName('Second Try');
  await page.getByLabel('Workspace name').fill(name);
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page).toHaveURL(new RegExp(`/w/${slugOf(name)}$`));
});
