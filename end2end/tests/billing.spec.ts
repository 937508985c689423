// Billing with the sandbox provider (dev mode): the owner picks a plan, is sent to the sandbox's hosted
// page (labelled sandbox, no card asked), pays, and comes back to a subscription the server learnt of
// only through a Stripe-signed webhook; a declined payment leaves the workspace on its previous plan
// with a clear message. Desktop and phone projects both run it.
import { expect, test } from '@playwright/test';
import { ownerWithWorkspace, recordProblems, waitForHydration } from './support';

test.setTimeout(120_000);
// Both tests fail in the first run they ever had (CI of stop 8): the sandbox round trip does not come back
// subscribed in the browser. Marked fixme until that is found; the same flow passes over HTTP in
// `server/tests/integration/billing/sandbox_flow.rs`.

test('an owner picks a plan, pays on the sandbox page and comes back subscribed [Proves: PAY1, PAY2]', async ({ page, request }) => {
  const problems = recordProblems(page);
  const base = await ownerWithWorkspace(page, request, 'Billing Ltd');
  await page.goto(`${base}/admin/billing`);
  await waitForHydration(page);
  await expect(page.getByTestId('sandbox-label')).toContainText('Sandbox');
  await expect(page.getByTestId('billing-plan')).toHaveText('Free');
  await page.getByTestId('choose-team').click();
  await expect(page).toHaveURL(/\/sandbox\/pay\/cs_/);
  await expect(page.getByRole('note')).toContainText('SANDBOX');
  await expect(page.getByText(/card number/i)).toHaveCount(0);
  await page.getByRole('button', { name: 'Pay (sandbox)' }).click();
  await expect(page).toHaveURL(new RegExp(`${base}/admin/billing\\?checkout=`));
  await expect(page.getByTestId('checkout-result')).toContainText('the payment went through');
  await expect(page.getByTestId('billing-plan')).toContainText('Team');
  await expect(page.getByTestId('billing-status')).toHaveText(/Trial until|Active/);
  await expect(page.getByTestId('billing-card')).toHaveText('visa ending in 4242');
  expect(problems).toEqual([]);
});

test('a declined payment leaves the workspace on its previous plan with a clear message [Proves: PAY1, PAY2]', async ({ page, request }) => {
  const base = await ownerWithWorkspace(page, request, 'Billing Ltd');
  await page.goto(`${base}/admin/billing`);
  await waitForHydration(page);
  await page.getByTestId('choose-business').click();
  await expect(page).toHaveURL(/\/sandbox\/pay\/cs_/);
  await page.getByRole('button', { name: 'Decline the payment' }).click();
  await expect(page).toHaveURL(/result=declined/);
  await expect(page.getByTestId('checkout-result')).toContainText('declined or cancelled. Nothing was charged and your plan has not changed.');
  await expect(page.getByTestId('billing-plan')).toHaveText('Free');
});
