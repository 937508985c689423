// Identity as a person uses it: sign up, confirm the address from the mail, sign in from a new browser
// with the emailed code, set up an authenticator app, sign out. Mail is read from the dev outbox.
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { recordProblems, waitForHydration } from './support';

const PASSWORD = 'plum orchard at dusk';

function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}@example.com`;
}

/** The newest mail of `kind` to `to` in the dev outbox, waiting for it to arrive. */
async function mail(request: APIRequestContext, to: string, kind: string): Promise<string> {
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

function linkIn(text: string, path: string): string {
  const match = text.match(new RegExp(`https?://[^\\s]+${path.replace('/', '\\/')}\\?token=[\\w-]+`));
  if (!match) throw new Error(`no ${path} link in ${text}`);
  return new URL(match[0]).pathname + new URL(match[0]).search;
}

function codeIn(text: string): string {
  const match = text.match(/sign-in code is (\d{6})/);
  if (!match) throw new Error(`no code in ${text}`);
  return match[1];
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s), as an authenticator app computes it. */
function totp(base32: string, at = Date.now()): string {
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

async function signUpAndVerify(page: Page, request: APIRequestContext, email: string) {
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

async function signInWithEmailedCode(page: Page, request: APIRequestContext, email: string) {
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/signin\/code$/);
  await page.getByLabel('Code from the email').fill(codeIn(await mail(request, email, 'sign_in_code')));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
  await expect(page.getByTestId('signed-in-as')).toHaveText(email);
}

test('sign up, verify, sign in with an emailed code, set up TOTP, sign out', async ({ page, request }) => {
  const problems = recordProblems(page);
  const email = uniqueEmail('flow');
  await signUpAndVerify(page, request, email);
  await waitForHydration(page);
  await signInWithEmailedCode(page, request, email);

  await expect(page.getByTestId('totp-status')).toContainText('Off');
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await expect(page).toHaveURL(/\/account\/totp$/);
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
  await page.getByLabel('Code from the app').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  await expect(page).toHaveURL(/\/account\/recovery-codes$/);
  await expect(page.getByTestId('recovery-codes').locator('li')).toHaveCount(10);
  await page.getByRole('button', { name: 'I have saved them' }).click();
  await expect(page.getByTestId('notice')).toContainText('Two-factor authentication is on');
  await expect(page.getByTestId('totp-status')).toContainText('On');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin\?notice=signed_out$/);
  await expect(page.getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();

  // Signing in again now asks for the authenticator code.
  await waitForHydration(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/signin\/code$/);
  await expect(page.getByLabel('Authenticator code or recovery code')).toBeVisible();

  // Chromium reports refused answers (a 4xx) on the console; none are expected in this flow.
  expect(problems).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('sign up, verify and sign in with the emailed code', async ({ page, request }) => {
    const email = uniqueEmail('plain');
    await signUpAndVerify(page, request, email);
    await signInWithEmailedCode(page, request, email);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/signin\?notice=signed_out$/);
  });

  test('a wrong password is answered next to the form', async ({ page }) => {
    await page.goto('/signin');
    await page.getByLabel('Email address').fill(uniqueEmail('nobody'));
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('signin-error')).toHaveText('The email address or password is wrong.');
  });
});
