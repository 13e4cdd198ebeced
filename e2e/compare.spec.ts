// Compare view against the real lab: a small comparison run from the form, Gantts for both pool kinds, the table,
// hover timings, an export that parses, and Cancel.
import { readFileSync } from 'node:fs'
import type { Page } from '@playwright/test'
import { checkTrace } from '../src/shared/compare/trace-schema'
import { expect, test } from './fixtures/lab'
import { SCREENSHOTS, openApp } from './ui-helpers'

test.describe.configure({ mode: 'serial' })

async function choose(
  page: Page,
  opts: { workload: string; strategies: string[]; sizes: number[]; tasks: number; repeat: number; taskMs?: number },
): Promise<void> {
  await page.getByTestId('nav-compare').click()
  await page.getByTestId(`workload-${opts.workload}`).check()
  for (const s of ['seq', 'async', 'thread', 'process', 'piscina', 'thread-static', 'process-static']) {
    await page.getByTestId(`strategy-${s}`).setChecked(opts.strategies.includes(s))
  }
  for (const n of [1, 2, 4, 8]) await page.getByTestId(`size-${n}`).setChecked(opts.sizes.includes(n))
  await page.getByTestId('tasks').fill(String(opts.tasks))
  await page.getByTestId('repeat').fill(String(opts.repeat))
  if (opts.taskMs !== undefined) await page.getByTestId('task-ms').fill(String(opts.taskMs))
}

test('a small comparison: both pool kinds get a Gantt on one axis, the table and the speed-up chart fill in', async ({
  page,
  labServer,
}) => {
  await openApp(page, labServer)
  await choose(page, {
    workload: 'cpu',
    strategies: ['seq', 'thread', 'process', 'piscina'],
    sizes: [1, 2],
    tasks: 12,
    repeat: 1,
    taskMs: 15,
  })
  await page.getByTestId('compare-run').click()
  await expect(page.getByTestId('compare-progress')).toBeVisible()
  await expect(page.getByTestId('compare-cancel')).toBeEnabled()
  await expect(page.getByTestId('compare-results')).toBeVisible({ timeout: 90_000 })
  await expect(page.getByTestId('compare-progress')).toHaveAttribute('data-phase', 'done')

  const gantts = page.getByTestId('gantt')
  await expect(gantts).toHaveCount(7)
  for (const strategy of ['thread', 'process']) {
    const g = page.locator(`[data-testid="gantt"][data-strategy="${strategy}"][data-size="2"]`)
    await expect(g).toBeVisible()
    await expect(g).toHaveAttribute('data-tasks', '12')
    expect(Number(await g.getAttribute('data-lanes'))).toBeGreaterThanOrEqual(1)
  }
  const rows = page.getByTestId('compare-table').locator('tbody tr')
  await expect(rows).toHaveCount(7)
  await expect(rows.filter({ hasText: 'sequential' }).locator('[data-col="speedup"]')).toHaveText('1.00×')
  // Each pool row shows both speed-ups; end to end (start-up included) is the lower one.
  for (const strategy of ['thread', 'process', 'piscina']) {
    const row = rows.and(page.locator(`[data-strategy="${strategy}"][data-size="2"]`))
    const up = parseFloat(await row.locator('[data-col="speedup"]').innerText())
    const endToEnd = parseFloat(await row.locator('[data-col="speedup-with-startup"]').innerText())
    expect(endToEnd).toBeLessThan(up)
  }
  await expect(page.getByTestId('speedup-chart')).toBeVisible()

  // Hover the first bar of the thread pool x2 Gantt: its timings and CPU show.
  const canvas = page.locator('[data-testid="gantt"][data-strategy="thread"][data-size="2"] canvas')
  await canvas.scrollIntoViewIfNeeded()
  const box = (await canvas.boundingBox())!
  let shown = false
  for (let x = box.x + 152; x < box.x + box.width && !shown; x += 6) {
    await page.mouse.move(x, box.y + 10)
    shown = await page.getByTestId('gantt-tip').isVisible()
  }
  expect(shown, 'a tooltip over a bar').toBe(true)
  await expect(page.getByTestId('gantt-tip')).toContainText(/task \d+ on/)
  await expect(page.getByTestId('gantt-tip')).toContainText(/CPU \d/)
  await page.screenshot({ path: `${SCREENSHOTS}/compare-hover.png` })
  // A tall window shows the whole view at once: form, table, speed-up chart and every Gantt.
  await page.mouse.move(0, 0)
  await page.setViewportSize({ width: 1280, height: 2000 })
  await page.screenshot({ path: `${SCREENSHOTS}/compare-results.png` })
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.waitForTimeout(300)
  await page.screenshot({ path: `${SCREENSHOTS}/compare-results-dark.png` })
  await page.emulateMedia({ colorScheme: 'light' })
  await page.setViewportSize({ width: 1280, height: 800 })

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-trace').click()])
  const trace = JSON.parse(readFileSync((await download.path())!, 'utf8'))
  expect(checkTrace(trace)).toEqual([])
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()])
  expect(
    readFileSync((await csv.path())!, 'utf8')
      .trim()
      .split('\n'),
  ).toHaveLength(8)
})

test('Cancel stops a long comparison and says so', async ({ page, labServer }) => {
  await openApp(page, labServer)
  await choose(page, {
    workload: 'io',
    strategies: ['seq', 'thread', 'process'],
    sizes: [1, 2],
    tasks: 40,
    repeat: 5,
    taskMs: 40,
  })
  await page.getByTestId('compare-run').click()
  await expect(page.getByTestId('compare-progress')).toContainText(/[1-9]\/\d+ runs/, { timeout: 30_000 })
  await page.getByTestId('compare-cancel').click()
  await expect(page.getByTestId('compare-progress')).toHaveAttribute('data-phase', 'cancelled', { timeout: 30_000 })
  await expect(page.getByTestId('compare-results')).toContainText('cancelled')
  await expect(page.getByTestId('compare-run')).toBeEnabled()
})
