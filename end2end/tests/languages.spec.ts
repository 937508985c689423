// UX3: every page in German, French and Turkish shows none of the English catalogue's sentences, and the
// server's choice of language is already in the first paint (no flash when the WebAssembly takes over).
import { type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  expect,
  expectAccessible,
  recordProblems,
  signInWithEmailedCode,
  signUpAndVerify,
  test,
  uniqueEmail,
  waitForHydration,
} from './support';

type Catalogue = Record<string, string>;

function flatten(prefix: string, value: unknown, out: Catalogue): Catalogue {
  if (typeof value === 'string') {
    out[prefix] = value;
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) flatten(prefix ? `${prefix}.${key}` : key, inner, out);
  }
  return out;
}

function catalogue(language: string): Catalogue {
  const file = join(__dirname, '..', '..', 'app', 'locales', `${language}.json`);
  return flatten('', JSON.parse(readFileSync(file, 'utf8')), {});
}

const english = catalogue('en');

/** The English fragments that must not appear in `language`: every text (split at its `{placeholders}`)
 *  whose translation differs, in pieces long enough to be a phrase rather than a shared word. */
function englishFragments(language: string): string[] {
  const translated = catalogue(language);
  const fragments = new Set<string>();
  for (const [key, text] of Object.entries(english)) {
    if (translated[key] === text) continue;
    for (const piece of text.split(/\{[a-z_]+\}/)) {
      const fragment = piece.trim();
      if (fragment.length >= 8 && !translated[key].includes(fragment)) fragments.add(fragment);
    }
  }
  return [...fragments];
}

async function expectNoEnglish(page: Page, language: string, where: string) {
  const text = await page.locator('body').innerText();
  const found = englishFragments(language).filter((fragment) => text.includes(fragment));
  expect(found, `${where} in ${language} shows English: ${found.join(' | ')}`).toEqual([]);
}

for (const language of ['de', 'fr', 'tr']) {
  test(`every page speaks ${language}, errors included [Proves: UX3]`, async ({ browser }, testInfo) => {
    test.setTimeout(240_000);
    // The account is made in English (the shared helpers use English labels), then the browser asks for
    // `language` the way the switcher does: by its cookie.
    const context = await browser.newContext({ ...testInfo.project.use, locale: 'en-GB' });
    const page = await context.newPage();
    const problems = recordProblems(page);
    const email = uniqueEmail(`lang-${language}`);
    await signUpAndVerify(page, page.request, email);
    await signInWithEmailedCode(page, page.request, email);
    await page.getByLabel('Workspace name').fill(`Xq ${Date.now().toString(36)}`);
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await expect(page.getByTestId('workspace')).toBeVisible();
    const workspace = new URL(page.url()).pathname;

    await page.getByTestId('language-select').selectOption(language);
    await page.getByTestId('language-select').locator('xpath=following-sibling::button').click();
    await expect(page.locator('html')).toHaveAttribute('lang', language);

    for (const path of [workspace, `${workspace}/members`, `${workspace}/sales`, `${workspace}/sales/new`, `${workspace}/admin/backups`, '/workspaces', '/account/security', '/', '/no-such-page']) {
      await page.goto(path);
      await waitForHydration(page);
      await expect(page.locator('html')).toHaveAttribute('lang', language);
      await expectNoEnglish(page, language, path);
      await expectAccessible(page, `${path} in ${language}`);
    }

    // Signed out, by Accept-Language alone: the sign-in page, and a refused form's error. (A refused
    // sign-in would count against 127.0.0.1, which every browser test shares: a too-short password at
    // sign-up is refused without counting.)
    const anonymous = await browser.newContext({ ...testInfo.project.use, locale: language });
    const visitor = await anonymous.newPage();
    await visitor.goto('/signin');
    await waitForHydration(visitor);
    await expectNoEnglish(visitor, language, '/signin');
    await expectAccessible(visitor, `/signin in ${language}`);
    const words = catalogue(language);
    await visitor.goto('/signup');
    await waitForHydration(visitor);
    await visitor.locator('#signup-email').fill(uniqueEmail(`short-${language}`));
    await visitor.locator('#signup-password').fill('too short');
    await visitor.locator('#signup-password').press('Enter');
    const expected = words['errors.too_short'].replace('{field}', words['fields.password']).replace('{min}', '12');
    await expect(visitor.locator('#signup-password-error')).toHaveText(expected);
    await expectNoEnglish(visitor, language, '/signup after a refused submit');
    await expectAccessible(visitor, `/signup in ${language}, with an error`);
    // The 404 page is answered with status 404, which the browser reports on its console.
    expect(problems.filter((p) => !p.includes('status of 404'))).toEqual([]);
    await anonymous.close();
    await context.close();
  });
}

test('Accept-Language: tr serves Turkish in the first paint, and hydration keeps it [Proves: UX3]', async ({ browser, request }, testInfo) => {
  const response = await request.get('/signin', { headers: { 'Accept-Language': 'tr-TR,tr;q=0.9', Accept: 'text/html' } });
  expect(response.headers()['content-language']).toBe('tr');
  const html = await response.text();
  const turkish = catalogue('tr');
  expect(html).toContain('<html lang="tr"');
  expect(html).toContain(turkish['sign_in.forgot']);
  expect(html).not.toContain(english['sign_in.forgot']);

  const context = await browser.newContext({ ...testInfo.project.use, locale: 'tr-TR' });
  const page = await context.newPage();
  const problems = recordProblems(page);
  await page.goto('/signin');
  const before = await page.locator('main').innerText();
  await waitForHydration(page);
  expect(await page.locator('main').innerText()).toBe(before);
  await expect(page.locator('html')).toHaveAttribute('lang', 'tr');
  await expectNoEnglish(page, 'tr', '/signin');
  expect(problems).toEqual([]);
  await context.close();
});
