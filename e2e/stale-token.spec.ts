// A page whose token the lab no longer knows (the lab was restarted) says so and stops retrying, in real Chromium.
import { expect, test } from '@playwright/test'
import { startLabServer } from './fixtures/lab'
import { SCREENSHOTS } from './ui-helpers'

test('after a restart on the same port, the old page says its token is no longer valid instead of retrying', async ({
  page,
}) => {
  const first = await startLabServer()
  let second: Awaited<ReturnType<typeof startLabServer>> | null = null
  try {
    await page.goto(first.url)
    await expect(page.locator(`[role="row"][data-kind="main"][data-pid="${first.pid}"]`)).toBeVisible()
    await first.stop()
    second = await startLabServer(['--port', String(first.port)])
    expect(second.token).not.toBe(first.token)
    const banner = page.getByRole('status').filter({ hasText: 'refused this page' })
    await expect(banner).toBeVisible({ timeout: 15_000 })
    await expect(banner).toContainText('Open the address that "npm run web" printed.')
    await expect(banner).not.toContainText('Trying again')
    await page.screenshot({ path: `${SCREENSHOTS}/stale-token.png` })
    // It stays refused: no reconnect loop brings it back.
    await page.waitForTimeout(2000)
    await expect(banner).toBeVisible()
  } finally {
    await first.stop()
    await second?.stop()
  }
})
