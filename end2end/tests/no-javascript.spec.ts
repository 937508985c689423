// Without JavaScript (so without WebAssembly): a signed-in person creates a workspace through plain form
// posts, and a refusal comes back to the page, next to the field.
import {
  expect,
  signInWithEmailedCode,
  signUpAndVerify,
  slugOf,
  test,
  uniqueEmail,
  uniqueName,
} from './support';

test.use({ javaScriptEnabled: false });

test('a workspace is created with JavaScript disabled, after a refusal [Proves: UX1, UX2]', async ({ page, request }) => {
  const email = uniqueEmail('plain-ws');
  await signUpAndVerify(page, request, email);
  await signInWithEmailedCode(page, request, email);

  // Spaces satisfy the browser's `required`, but the server trims them and refuses.
  await page.getByLabel('Workspace name').fill('   ');
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.locator('#workspace-name-error')).toHaveText('Workspace name is required.');
  await expect(page.getByLabel('Workspace name')).toHaveAttribute('aria-invalid', 'true');

  const name = uniqueName('Plain Form GmbH');
  await page.getByLabel('Workspace name').fill(name);
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page).toHaveURL(new RegExp(`/w/${slugOf(name)}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
  await expect(page.getByTestId('my-roles')).toHaveText('Owner');
});
