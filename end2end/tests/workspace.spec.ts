// The team administrator's day: the owner creates a workspace and invites a member and an approver by
// mail; the member submits a purchase request above the threshold; the approver approves it; the owner
// sees both in the audit log. Three people, three browsers, at desktop and phone sizes.
import { type Browser, type Page } from '@playwright/test';
import {
  expect,
  linkIn,
  mail,
  recordProblems,
  signInWithEmailedCode,
  signUpAndVerify,
  slugOf,
  test,
  uniqueEmail,
  uniqueName,
  waitForHydration,
} from './support';

test.setTimeout(120_000);

async function person(browser: Browser, contextOptions: object): Promise<Page> {
  const context = await browser.newContext(contextOptions);
  return context.newPage();
}

/** Opens the invitation mailed to `email`, creating the account first, and joins. */
async function acceptInvitation(page: Page, email: string) {
  await signUpAndVerify(page, page.request, email);
  await signInWithEmailedCode(page, page.request, email);
  await page.goto(linkIn(await mail(page.request, email, 'invitation'), '/invitations/accept'));
  await page.getByRole('button', { name: 'Join the workspace' }).click();
  await expect(page.getByTestId('workspace')).toBeVisible();
}

test('owner invites, member requests, approver approves, owner audits [Proves: TN2, TN5, UX1]', async ({ browser, page, request }, testInfo) => {
  const options = testInfo.project.use;
  const problems = recordProblems(page);

  // The owner signs up and creates the workspace.
  const ownerEmail = uniqueEmail('owner');
  await signUpAndVerify(page, request, ownerEmail);
  await signInWithEmailedCode(page, request, ownerEmail);
  const name = uniqueName('Approvals Ltd');
  await page.getByLabel('Workspace name').fill(name);
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.getByTestId('my-roles')).toHaveText('Owner');
  const base = new URL(page.url()).pathname;

  // A supplier, then the invitations.
  await page.getByRole('link', { name: 'Suppliers' }).click();
  await page.getByLabel('Supplier name').fill('Office Supplies AG');
  await page.getByRole('button', { name: 'Add supplier' }).click();
  await expect(page.getByTestId('suppliers')).toContainText('Office Supplies AG');
  const memberEmail = uniqueEmail('member');
  const approverEmail = uniqueEmail('approver');
  await page.getByRole('link', { name: 'Members' }).click();
  for (const [email, role] of [[memberEmail, 'Member'], [approverEmail, 'Approver']]) {
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Role').selectOption({ label: role });
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await expect(page.getByTestId('notice')).toContainText('The invitation is on its way.');
    await expect(page.getByTestId('invitations')).toContainText(email);
  }

  // Both join; the member asks for something above the 1,000.00 threshold.
  const approver = await person(browser, options);
  await acceptInvitation(approver, approverEmail);
  const member = await person(browser, options);
  await acceptInvitation(member, memberEmail);
  await member.getByRole('link', { name: 'New purchase request' }).first().click();
  await member.getByLabel('Title').fill('Standing desks');
  await member.getByLabel('Item 1').fill('Electric standing desk');
  await member.getByLabel('Quantity').first().fill('3');
  await member.getByLabel('Unit price').first().fill('650');
  await member.getByRole('button', { name: 'Submit request' }).click();
  await expect(member.getByTestId('request-status')).toHaveText('Waiting for approval');
  await expect(member.getByTestId('request-total')).toHaveText(/^1,950\.00\sEUR$/);
  const requestPath = new URL(member.url()).pathname;

  // The approver finds the notice on the workspace page, and approves.
  await approver.goto(base);
  await expect(approver.getByTestId('notices')).toContainText('Standing desks');
  await approver.getByTestId('notices').getByRole('link').first().click();
  await expect(approver).toHaveURL(new RegExp(`${requestPath}$`));
  await approver.getByLabel('Comment (required to deny)').fill('Budgeted for this quarter');
  await approver.getByRole('button', { name: 'Approve' }).click();
  await expect(approver.getByTestId('request-status')).toHaveText('Approved');
  await expect(approver.getByTestId('order-number')).toHaveText('#1');
  await expect(approver.getByTestId('history')).toContainText('Budgeted for this quarter');

  // The owner sees both events in the audit log.
  await page.goto(`${base}/admin/audit`);
  const log = page.getByTestId('audit');
  await expect(log.getByTestId('audit-entry').filter({ hasText: 'request.submitted' })).toContainText(memberEmail);
  await expect(log.getByTestId('audit-entry').filter({ hasText: 'request.approved' })).toContainText(approverEmail);
  await page.getByLabel('What (e.g. request. or member.)').fill('request.');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByTestId('audit-entry')).toHaveCount(2);

  expect(problems.filter((p) => !p.includes('status of 4'))).toEqual([]);
});

test('a name typed before the WebAssembly arrives survives hydration', async ({ page }) => {
  const problems = recordProblems(page);
  const email = uniqueEmail('early');
  await signUpAndVerify(page, page.request, email);
  await signInWithEmailedCode(page, page.request, email);

  // The page again, with its WebAssembly held back until the name is typed (a slow connection).
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/*.wasm', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto('/workspaces', { waitUntil: 'domcontentloaded' });
  const name = uniqueName('Early Typist');
  await page.getByLabel('Workspace name').fill(name);
  release();
  await waitForHydration(page);
  await expect(page.getByLabel('Workspace name')).toHaveValue(name);
  await expect(page.getByTestId('address-preview')).toHaveText(`Your workspace's address will be /w/${slugOf(name)}`);
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.getByTestId('my-roles')).toHaveText('Owner');
  expect(problems).toEqual([]);
});
