// Customer data in the browser, at desktop and phone sizes: a member records a customer and an order
// and sees the phone masked; an administrator reveals it with a reason and finds the reveal in the
// audit log; the member attaches a file and makes a signed link; the end customer opens it without
// signing in and sees only that order, masked; once revoked, the link shows nothing.
import { type Browser, type Page } from '@playwright/test';
import {
  expect,
  expectAccessible,
  linkIn,
  mail,
  recordProblems,
  signInWithEmailedCode,
  signUpAndVerify,
  test,
  uniqueEmail,
  uniqueName,
} from './support';

test.setTimeout(150_000);

async function person(browser: Browser, contextOptions: object): Promise<Page> {
  const context = await browser.newContext(contextOptions);
  return context.newPage();
}

async function acceptInvitation(page: Page, email: string) {
  await signUpAndVerify(page, page.request, email);
  await signInWithEmailedCode(page, page.request, email);
  await page.goto(linkIn(await mail(page.request, email, 'invitation'), '/invitations/accept'));
  await page.getByRole('button', { name: 'Join the workspace' }).click();
  await expect(page.getByTestId('workspace')).toBeVisible();
}

// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

test('a member records an order with masked contact data, an admin reveals it with a reason on the record, the customer opens a signed link, a revoked one shows nothing [Proves: DATA3, DATA4, DATA5]', async ({ browser, page, request }, testInfo) => {
  const options = testInfo.project.use;
  const problems = recordProblems(page);

  // The owner creates the workspace and invites a member and an administrator.
  const ownerEmail = uniqueEmail('owner');
  await signUpAndVerify(page, request, ownerEmail);
  await signInWithEmailedCode(page, request, ownerEmail);
  await page.getByLabel('Workspace name').fill(uniqueName('Plum Jam Co'));
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.getByTestId('my-roles')).toHaveText('Owner');
  const base = new URL(page.url()).pathname;
  const memberEmail = uniqueEmail('member');
  const adminEmail = uniqueEmail('admin');
  await page.getByRole('link', { name: 'Members' }).click();
  for (const [email, role] of [[memberEmail, 'Member'], [adminEmail, 'Administrator']]) {
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Role').selectOption({ label: role });
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await expect(page.getByTestId('invitations')).toContainText(email);
  }

  // The member adds a customer: the phone is shown masked.
  const member = await person(browser, options);
  await acceptInvitation(member, memberEmail);
  await member.goto(`${base}/customers`);
  await member.getByLabel('Name', { exact: true }).fill('Ottilie Quandt');
  await member.getByLabel('Email (optional)').fill('ottilie@private-mail.example');
  await member.getByLabel('Phone (optional)').fill('+49 170 5550199');
  await member.getByRole('button', { name: 'Add customer' }).click();
  await expect(member.getByTestId('customer-phone')).toHaveText('+49 ••• ••• 99');
  const customerPath = new URL(member.url()).pathname;
  await expect(member.locator('body')).not.toContainText('5550199');

  // …and an order for them, whose page shows the phone masked too.
  await member.goto(`${base}/sales/new`);
  await member.getByLabel('Item 1').fill('Plum jam, 12 jars');
  await member.getByLabel('Quantity').first().fill('2');
  await member.getByLabel('Unit price').first().fill('18.50');
  await member.getByRole('button', { name: 'Create order' }).click();
  await expect(member.getByTestId('order-customer-phone')).toHaveText('+49 ••• ••• 99');

  // A file from the order page (a multipart form), and a signed link for the customer.
  await member.getByLabel('Add a file').setInputFiles({ name: 'delivery-note.png', mimeType: 'image/png', buffer: PNG });
  await member.getByRole('button', { name: 'Upload' }).click();
  await expect(member.getByTestId('attachment')).toContainText('delivery-note.png');
  await member.getByRole('button', { name: 'Create a link' }).click();
  const link = member.getByTestId('order-link-url').first();
  await expect(link).toBeVisible();
  const linkPath = (await link.getAttribute('href'))!;
  expect(linkPath).toMatch(/^\/confirmation\/[\w-]+\.[0-9a-f]{64}$/);

  // The administrator reveals the phone with a reason; the reveal is in the audit log.
  const admin = await person(browser, options);
  await acceptInvitation(admin, adminEmail);
  await admin.goto(customerPath);
  await admin.getByLabel('Which value').selectOption('phone');
  await admin.getByLabel('Reason (recorded in the audit log)').fill('Courier needs to call about the delivery');
  await admin.getByRole('button', { name: 'Reveal' }).click();
  await expect(admin.getByTestId('revealed')).toContainText('+49 170 5550199');
  await admin.goto(`${base}/admin/audit`);
  const reveal = admin.getByTestId('audit-entry').filter({ hasText: 'customer.revealed' });
  await expect(reveal).toContainText(adminEmail);
  await expect(reveal).toContainText('Courier needs to call about the delivery');

  // The end customer, without an account: only that order, masked.
  const customer = await person(browser, options);
  await customer.goto(linkPath);
  await expect(customer.getByTestId('confirmation')).toBeVisible();
  await expect(customer.getByTestId('confirmation-customer')).toHaveText('Ottilie Quandt');
  await expect(customer.getByTestId('confirmation-phone')).toHaveText('+49 ••• ••• 99');
  await expect(customer.getByTestId('confirmation-total')).toHaveText(/^37\.00\sEUR$/);
  await expect(customer.getByTestId('signed-in-as')).toHaveCount(0);
  await expectAccessible(customer);

  // Revoked: the same address now shows nothing of the order.
  await member.getByRole('button', { name: 'Revoke' }).first().click();
  await expect(member.getByTestId('order-link').first()).toHaveAttribute('data-state', 'revoked');
  await customer.reload();
  await expect(customer.getByTestId('confirmation-invalid')).toBeVisible();
  await expect(customer.locator('main')).not.toContainText('Ottilie');
  await expect(customer.locator('main')).not.toContainText('Plum jam');
  await expectAccessible(customer);

  expect(problems.filter((p) => !p.includes('status of 4'))).toEqual([]);
});
