// With WebAssembly: pages hydrate under the strict CSP (no violations, no errors), and interactions
// that only work once the WebAssembly runs do work.
import {
  expect,
  recordProblems,
  test,
  waitForHydration,
} from './support';

test('the landing page hydrates under the CSP without a single complaint [Proves: WEB1]', async ({ page }) => {
  const problems = recordProblems(page);
  const response = await page.goto('/');
  const csp = response?.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("'nonce-");
  expect(csp).not.toContain('unsafe-inline');
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Business data, kept like it matters.');
  expect(problems).toEqual([]);
});

test('the sign-up form counts characters as you type (only the WebAssembly can)', async ({ page }) => {
  const problems = recordProblems(page);
  await page.goto('/signup');
  await waitForHydration(page);
  const hint = page.getByTestId('password-hint');
  await expect(hint).toContainText('At least 12 characters');
  await page.getByLabel('Password').fill('plum');
  await expect(hint).toHaveText('8 more characters needed.');
  await page.getByLabel('Password').fill('plum orchard at dusk');
  await expect(hint).toContainText('Long enough.');
  expect(problems).toEqual([]);
});

test('unknown pages show the 404 page', async ({ page }) => {
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
});
