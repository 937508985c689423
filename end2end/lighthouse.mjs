// Lighthouse (mobile profile: a mid-range phone on a slow 4G link, simulated) on the landing page, the
// sign-in page and a workspace page, against a server that `cargo xtask lighthouse` builds (release) and
// starts with demo data. Prints the scores and exits non-zero below the budget (UX5): performance 95,
// accessibility 100, best practices 100.
//
// Lighthouse drives Debian's Chromium over the DevTools protocol. For the workspace page it must be
// signed in: Playwright signs the demo owner in within the same browser profile first (the emailed
// sign-in code is read from the dev outbox), then Lighthouse opens its tabs in that profile.
import lighthouse from 'lighthouse';
import { chromium } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = process.env.STRONGROOM_E2E_BASE_URL;
const { DEMO_EMAIL: email, DEMO_PASSWORD: password, DEMO_SLUG: slug } = process.env;
if (!base || !email || !password || !slug) {
  throw new Error('run through `cargo xtask lighthouse`, which starts the server and passes the demo sign-in');
}
const BUDGET = { performance: 95, accessibility: 100, 'best-practices': 100 };
const port = 9300 + Math.floor(Math.random() * 500);

const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'lighthouse-')), {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: [
    `--remote-debugging-port=${port}`,
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});

async function signIn() {
  const page = await context.newPage();
  await page.goto(`${base}/signin`);
  await page.locator('main[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 30_000 });
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // A new browser is asked for the code mailed to the address (the dev outbox has it).
  await page.waitForURL(/\/(signin\/code|workspaces)$/);
  if (page.url().endsWith('/signin/code')) {
    let code;
    for (let tries = 0; !code && tries < 50; tries++) {
      const mails = await (await fetch(`${base}/dev/outbox.json?to=${encodeURIComponent(email)}`)).json();
      code = mails.find((m) => m.kind === 'sign_in_code')?.text.match(/sign-in code is (\d{6})/)?.[1];
      if (!code) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await page.getByLabel('Code from the email').fill(code);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/workspaces$/);
  }
  await page.close();
}

await signIn();
let failed = false;
const pages = [
  ['landing', `${base}/`],
  ['sign-in', `${base}/signin`],
  ['workspace', `${base}/w/${slug}/requests`],
];
console.log(`${'page'.padEnd(12)} ${Object.keys(BUDGET).map((c) => c.padStart(15)).join(' ')}`);
for (const [name, url] of pages) {
  const { lhr } = await lighthouse(url, {
    port,
    output: 'json',
    logLevel: 'error',
    onlyCategories: Object.keys(BUDGET),
    // The workspace page needs the session cookie Playwright's sign-in left in this profile.
    disableStorageReset: true,
  });
  const scores = Object.keys(BUDGET).map((category) => Math.round((lhr.categories[category].score ?? 0) * 100));
  console.log(`${name.padEnd(12)} ${scores.map((s) => String(s).padStart(15)).join(' ')}`);
  Object.keys(BUDGET).forEach((category, i) => {
    if (scores[i] < BUDGET[category]) {
      failed = true;
      const audits = Object.values(lhr.audits)
        .filter((a) => a.score !== null && a.score < 0.9 && lhr.categories[category].auditRefs.some((r) => r.id === a.id && r.weight > 0))
        .map((a) => `    - ${a.id}: ${a.title}${a.displayValue ? ` (${a.displayValue})` : ''}`);
      console.log(`  ${category} ${scores[i]} is below ${BUDGET[category]}:\n${audits.join('\n')}`);
    }
  });
}
await context.close();
process.exit(failed ? 1 : 0);
