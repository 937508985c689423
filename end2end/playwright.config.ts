// Playwright runs against a server that `cargo xtask e2e` (or `cargo xtask test`) builds and starts,
// passing its address in STRONGROOM_E2E_BASE_URL. The browser is Debian's Chromium: Playwright never
// downloads one (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1), and the flags below keep it off the network.
import { defineConfig, devices } from '@playwright/test';

const baseURL = process.env.STRONGROOM_E2E_BASE_URL;
if (!baseURL) {
  throw new Error('STRONGROOM_E2E_BASE_URL is not set: run the browser tests with `cargo xtask e2e`.');
}

const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};

export default defineConfig({
  testDir: './tests',
  fullyParallel: true,
  forbidOnly: true,
  retries: 0,
  workers: 2,
  reporter: [['list']],
  timeout: 30_000,
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions,
  },
  projects: [
    { name: 'desktop', use: { ...devices['Desktop Chrome'], launchOptions } },
    { name: 'phone', use: { ...devices['Pixel 7'], launchOptions } },
  ],
});
