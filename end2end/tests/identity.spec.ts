// Identity as a person uses it: sign up, confirm the address from the mail, sign in from a new browser
// with the emailed code, set up an authenticator app, sign out. Mail is read from the dev outbox.
import {
  expect,
  PASSWORD,
  recordProblems,
  signInWithEmailedCode,
  signUpAndVerify,
  test,
  totp,
  uniqueEmail,
  waitForHydration,
} from './support';

test('sign up, verify, sign in with an emailed code, set up TOTP, sign out [Proves: ID1, ID7, UX1]', async ({ page, request }) => {
  const problems = recordProblems(page);
  const email = uniqueEmail('flow');
  await signUpAndVerify(page, request, email);
  await waitForHydration(page);
  await signInWithEmailedCode(page, request, email);

  await page.getByTestId('signed-in-as').click();
  await expect(page.getByTestId('totp-status')).toContainText('Off');
  await page.locator('#begin-totp-password').fill(PASSWORD);
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

  test('a wrong password is answered next to the form [Proves: UX2]', async ({ page }) => {
    await page.goto('/signin');
    await page.getByLabel('Email address').fill(uniqueEmail('nobody'));
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('signin-error')).toHaveText('The email address or password is wrong.');
  });
});
