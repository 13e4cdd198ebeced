// Where the time went, in real Chromium against the real lab and python3: the OS letter and a stacked time bar on every
// live row, a plain sentence on why a Python thread pool is not faster (the GIL), the details of a thread, the lab's own
// CPU in the header, and short-lived processes under their parent. Light and dark screenshots.
import type { Page } from '@playwright/test'
import { expect, test } from './fixtures/lab'
import { SCREENSHOTS, openApp } from './ui-helpers'

test.describe.configure({ mode: 'serial' })

/** The page as it is, in the light theme and in the dark one. */
async function shootBoth(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}-light.png` })
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.waitForTimeout(600)
  await page.screenshot({ path: `${SCREENSHOTS}/${name}-dark.png` })
  await page.emulateMedia({ colorScheme: 'light' })
}

test('a Python thread pool on CPU work: OS letters, time bars, the GIL sentence, a thread in detail', async ({
  page,
  labServer,
}) => {
  await openApp(page, labServer)
  await page.getByTestId('nav-programs').click()
  await page.getByTestId('program-py-cpu-vs-io').click()
  await page.locator('[data-field="pools"]').getByRole('radio', { name: 'thread', exact: true }).check()
  await page.locator('[data-field="job"]').getByRole('radio', { name: 'cpu', exact: true }).check()
  await page.getByLabel('Work per task (ms)').fill('3000')
  await page.getByTestId('program-start').click()
  await expect(page.getByTestId('program-status')).toHaveAttribute('data-status', 'running')

  const table = page.getByRole('table', { name: 'Processes and threads of this program' })
  const pool = table.locator('[data-kind="thread"]').filter({ hasText: /pool_\d/ })
  await expect(pool).toHaveCount(2, { timeout: 15_000 })
  // Every live row carries the OS letter, and a bar once a tick has a split.
  await expect(pool.first().getByTestId('os-letter')).toHaveText(/^[RS]$/)
  await expect(pool.first().locator('.c-split [role="img"]')).toHaveAttribute('aria-label', /on a CPU \d+ %/, {
    timeout: 10_000,
  })
  const why = page.getByTestId('why-not-faster')
  await expect(why).toContainText("Why isn't it faster?", { timeout: 15_000 })
  await expect(why).toContainText(/on a CPU \d+ % of the time, waiting for a CPU \d+ % and blocked \d+ %/)
  // The lab's own CPU per tick beside the sampler's part.
  await expect(page.getByTestId('lab-cpu')).toHaveText(/\d/)

  await page.waitForTimeout(2500)
  await shootBoth(page, 'time-split-programs')

  // The Monitor's details of one pool thread: its OS state in words, where its time went, its memory as shared.
  await page.getByTestId('nav-monitor').click()
  await page.locator('[data-kind="thread"]').filter({ hasText: 'pool_0' }).first().click()
  const details = page.getByTestId('unit-details')
  await expect(details.getByTestId('details-os')).toContainText(/R runnable|S sleeping/)
  await expect(details.getByTestId('details-time')).toContainText(/on a CPU \d+ %/)
  await expect(details).toContainText('shared with its process')
  await page.waitForTimeout(800)
  await shootBoth(page, 'time-split-monitor')
  await page.getByTestId('nav-programs').click()
  await page.getByTestId('program-stop').click()
  await expect(page.getByTestId('program-status')).not.toHaveAttribute('data-status', 'running', { timeout: 15_000 })
})
