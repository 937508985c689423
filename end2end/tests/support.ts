// Shared helpers: a page that records everything the browser complains about, a wait for hydration,
// and the accessibility check (UX1) that every test runs on every page it visits.
//
// Test files import `test` from here, not from '@playwright/test': its automatic `axeEveryPage` fixture
// remembers each HTML page the test's `page` loads and, when the test is over, checks the page as the
// test left it and then every visited address again with axe-core at WCAG 2.1 AA, failing on any
// violation (with JavaScript disabled too: `expectAccessibleWithoutScripts`). Pages of contexts a test
// makes itself are checked with `expectAccessible`.
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test';
import { createHmac } from 'node:crypto';

/** The axe-core rule tags of WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Fails the test if axe-core finds any WCAG 2.1 AA violation on `page` as it is now. */
export async function expectAccessible(page: Page, where: string = page.url()) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
  const violations = results.violations.map(
    (v) => `${v.id} [${v.impact}] ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' ; ')}`,
  );
  expect(violations, `axe-core (WCAG 2.1 AA) on ${where}`).toEqual([]);
}

/** Remembers every HTML page `page` loads by a GET navigation (to check them again at the end). */
export function trackPages(page: Page): Set<string> {
  const visited = new Set<string>();
  page.on('response', (response) => {
    const request = response.request();
    const html = (response.headers()['content-type'] ?? '').includes('text/html');
    if (request.isNavigationRequest() && request.method() === 'GET' && html && request.frame() === page.mainFrame()) {
      visited.add(response.url());
    }
  });
  return visited;
}

/** Opens each of `addresses` in a new tab of `page`'s browser context (same session) and checks it. */
export async function expectAllAccessible(page: Page, addresses: Iterable<string>) {
  for (const address of addresses) {
    const tab = await page.context().newPage();
    await tab.goto(address);
    await tab.locator('main').waitFor({ state: 'attached' });
    await expectAccessible(tab, address);
    await tab.close();
  }
}

export const test = base.extend<{ axeEveryPage: void }>({
  axeEveryPage: [
    async ({ page, javaScriptEnabled }, use, testInfo) => {
      const visited = trackPages(page);
      await use();
      if (page.isClosed() || visited.size === 0) return;
      // The checks come on top of the test's own time.
      testInfo.setTimeout(testInfo.timeout + 30_000 + visited.size * 10_000);
      if (javaScriptEnabled) {
        await expectAccessible(page, `${page.url()} (as the test left it)`);
        await expectAllAccessible(page, visited);
      } else {
        await expectAccessibleWithoutScripts(page, visited);
      }
    },
    { auto: true },
  ],
});
export { expect };

/**
 * The pages a person without JavaScript saw, checked with axe-core all the same. axe-core is a script,
 * so it cannot run in their page: the page as the test left it and every page it visited (fetched again
 * with the test's own cookies, so as the same person) are shown, with their scripts taken out, in a
 * page of a new JavaScript-enabled context of the same size, at the same address, so that the
 * stylesheets come from the server as they did. `<noscript>` content shows, as it did for them.
 */
export async function expectAccessibleWithoutScripts(page: Page, visited: Iterable<string>) {
  const pages: Array<[string, string]> = [[`${page.url()} (as the test left it)`, await page.content()]];
  for (const address of visited) {
    const response = await page.context().request.get(address);
    pages.push([address, await response.text()]);
  }
  // Said outright: contexts a test makes take its `use` options, `javaScriptEnabled: false` included.
  const checker = await page.context().browser()!.newContext({ viewport: page.viewportSize(), javaScriptEnabled: true });
  try {
    for (const [where, html] of pages) {
      const address = where.split(' ')[0];
      const shown = html
        .replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '')
        .replace(/<link\b[^>]*rel="modulepreload"[^>]*>/gi, '')
        .replace(/<\/?noscript>/gi, '');
      const tab = await checker.newPage();
      await tab.route(
        (url) => url.href === address,
        (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: shown }),
      );
      await tab.goto(address);
      await expectAccessible(tab, `${where} (without JavaScript)`);
      await tab.close();
    }
  } finally {
    await checker.close();
  }
}

/** Collects page errors and console errors/warnings (CSP violations are reported as console errors). */
export function recordProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' || /Content Security Policy|Refused to/i.test(text)) {
      problems.push(`console.${message.type()}: ${text}`);
    }
  });
  return problems;
}

/** Waits until the WebAssembly has hydrated the page (the app marks <main> once its effects run). */
export async function waitForHydration(page: Page) {
  await expect(page.locator('main[data-hydrated="true"]')).toBeAttached({ timeout: 15_000 });
}

/** A workspace name unique to this test run, so tests never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix} ${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export function slugOf(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

export const PASSWORD = 'plum orchard at dusk';

export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}@example.com`;
}

/** The newest mail of `kind` to `to` in the dev outbox, waiting for it to arrive. */
export async function mail(request: APIRequestContext, to: string, kind: string): Promise<string> {
  let text = '';
  await expect
    .poll(async () => {
      const response = await request.get(`/dev/outbox.json?to=${encodeURIComponent(to)}`);
      const mails = (await response.json()) as { kind: string; text: string }[];
      text = mails.find((m) => m.kind === kind)?.text ?? '';
      return text;
    }, { timeout: 10_000 })
    .not.toBe('');
  return text;
}

export function linkIn(text: string, path: string): string {
  const match = text.match(new RegExp(`https?://[^\\s]+${path.replace('/', '\\/')}\\?token=[\\w-]+`));
  if (!match) throw new Error(`no ${path} link in ${text}`);
  return new URL(match[0]).pathname + new URL(match[0]).search;
}

export function codeIn(text: string): string {
  // The first run of exactly six digits: the code, in whatever language the mail is written.
  const match = text.match(/(?<!\d)(\d{6})(?!\d)/);
  if (!match) throw new Error(`no code in ${text}`);
  return match[1];
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s), as an authenticator app computes it. */
export function totp(base32: string, at = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const hmac = createHmac('sha1', key).update(counter).digest();
  const offset = hmac[hmac.length - 1] & 0xf;
  const value = (hmac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, '0');
}

export async function signUpAndVerify(page: Page, request: APIRequestContext, email: string) {
  await page.goto('/signup');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('signup-sent')).toBeVisible();

  await page.goto(linkIn(await mail(request, email, 'verify_address'), '/verify'));
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  await expect(page).toHaveURL(/\/signin\?notice=verified$/);
  await expect(page.getByTestId('notice')).toContainText('Your email address is confirmed');
}

export async function signInWithEmailedCode(page: Page, request: APIRequestContext, email: string) {
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/signin\/code$/);
  await page.getByLabel('Code from the email').fill(codeIn(await mail(request, email, 'sign_in_code')));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/workspaces$/);
  await expect(page.getByTestId('signed-in-as')).toHaveText(email);
}

/// A new account, signed in, that creates a workspace named after `prefix` and is its owner; returns the
/// workspace's path (`/w/<address>`).
export async function ownerWithWorkspace(page: Page, request: APIRequestContext, prefix: string): Promise<string> {
  const email = uniqueEmail(`${slugOf(prefix)}-owner`);
  await signUpAndVerify(page, request, email);
  await signInWithEmailedCode(page, request, email);
  await page.getByLabel('Workspace name').fill(uniqueName(prefix));
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.getByTestId('my-roles')).toHaveText('Owner');
  return new URL(page.url()).pathname;
}
