// UX1 beyond axe-core (which every test runs on every page it visits, see `support.ts`): a whole flow by
// keyboard alone, the skip link, focus on the first error after a refused submit with the error tied to
// its field, and layouts that hold at 320 CSS pixels and at 200% zoom.
import { expect, PASSWORD, test, uniqueEmail, waitForHydration } from './support';
import { type Page } from '@playwright/test';

/** Presses Tab until the element matching `selector` has the focus (at most 30 times). */
async function tabTo(page: Page, selector: string) {
  for (let i = 0; i < 30; i++) {
    if (await page.locator(selector).evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

test('sign-up works by keyboard alone, and the skip link jumps to the content [Proves: UX1]', async ({ page }) => {
  await page.goto('/signup');
  await waitForHydration(page);
  // The first Tab stop is the skip link; Enter moves the focus to the main content.
  await page.keyboard.press('Tab');
  const skip = page.locator('a.skip-link');
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page.locator('main#main')).toBeFocused();

  const email = uniqueEmail('keys');
  await tabTo(page, '#signup-email');
  await page.keyboard.type(email);
  await tabTo(page, '#signup-password');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('signup-sent')).toBeVisible();
});

test('a refused submit puts the focus on the first wrong field, tied to its error [Proves: UX1]', async ({ page }) => {
  await page.goto('/signup');
  await waitForHydration(page);
  await page.locator('#signup-email').fill(uniqueEmail('short'));
  await page.locator('#signup-password').fill('too short');
  await page.locator('#signup-password').press('Enter');
  const password = page.locator('#signup-password');
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expect(password).toBeFocused();
  const error = page.locator('#signup-password-error');
  await expect(error).toContainText('at least 12');
  const describedBy = (await password.getAttribute('aria-describedby')) ?? '';
  expect(describedBy.split(' ')).toContain('signup-password-error');
});

for (const [name, viewport, zoom] of [
  ['320 CSS pixels wide', { width: 320, height: 640 }, '1'],
  ['200% zoom', { width: 1280, height: 800 }, '2'],
] as const) {
  test(`pages hold at ${name}: nothing scrolls sideways [Proves: UX1]`, async ({ browser }) => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    for (const path of ['/', '/signin', '/signup', '/signin/with-code', '/reset', '/security', '/no-such-page']) {
      await page.goto(path);
      await page.evaluate((factor) => {
        document.documentElement.style.zoom = factor;
      }, zoom);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${path} at ${name}`).toBeLessThanOrEqual(0);
    }
    await context.close();
  });
}
