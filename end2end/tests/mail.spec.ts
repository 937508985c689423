// Notification mail can be stopped from its footer (UX4): an owner invites someone; the invitee opens
// the mail's unsubscribe link (no account needed), stops invitations, and starts them again. With
// WebAssembly and with JavaScript disabled (plain form posts), at desktop and phone sizes.
import { expect, linkIn, mail, ownerWithWorkspace, test, uniqueEmail, waitForHydration } from './support';

test.setTimeout(120_000);

for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? 'with WebAssembly' : 'without JavaScript', () => {
    test.use({ javaScriptEnabled });

    test("an invitee stops invitations from the mail's link and starts them again [Proves: UX4, UX1]", async ({ browser, page }, testInfo) => {
      // The owner, in a browser of their own (with JavaScript, whatever the invitee's has).
      const owner = await (await browser.newContext({ ...testInfo.project.use, javaScriptEnabled: true })).newPage();
      const base = await ownerWithWorkspace(owner, owner.request, 'Unsubscribe Ltd');
      const guest = uniqueEmail('guest');
      await owner.getByRole('link', { name: 'Members' }).click();
      await owner.getByLabel('Email address').fill(guest);
      await owner.getByRole('button', { name: 'Send invitation' }).click();
      await expect(owner.getByTestId('notice')).toContainText('The invitation is on its way.');
      expect(base).toMatch(/^\/w\//);

      await page.goto(linkIn(await mail(page.request, guest, 'invitation'), '/mail/unsubscribe'));
      if (javaScriptEnabled) await waitForHydration(page);
      const card = page.getByTestId('unsubscribe');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Stop these mails?');
      await expect(card).toContainText('invitations to workspaces');
      await expect(card).toHaveAttribute('data-state', 'subscribed');
      await page.getByRole('button', { name: 'Unsubscribe', exact: true }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Unsubscribed');
      await expect(card).toHaveAttribute('data-state', 'unsubscribed');
      await page.getByRole('button', { name: 'Subscribe again' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Stop these mails?');
      await expect(card).toHaveAttribute('data-state', 'subscribed');
      await owner.context().close();
    });
  });
}
