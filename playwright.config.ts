// e2e in Debian's Chromium against the browser mode with the real lab (each worker starts its own, see e2e/fixtures/lab.ts).
import { defineConfig } from '@playwright/test'
import { CHROMIUM_LAUNCH } from './e2e/fixtures/chromium'

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  globalSetup: './e2e/global-setup.ts',
  // Two cores, and the specs read real CPU figures: one worker, one lab at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  // Real labs and real CPU figures on 2 cores: in CI a failed spec is run once more (Playwright reports it as flaky).
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    launchOptions: CHROMIUM_LAUNCH,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
})
