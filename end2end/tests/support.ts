// Shared helpers: a page that records everything the browser complains about, and a wait for hydration.
import { expect, type Page } from '@playwright/test';

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
