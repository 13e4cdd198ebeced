// Monitor view against the real lab: the unit tree, End with confirmation, filter, sort, pause; screenshots of every view.
import { expect, test } from './fixtures/lab'
import { SCREENSHOTS, openApp, processExists, rowFacts, startCounters } from './ui-helpers'

test.describe.configure({ mode: 'serial' })

test('End a child process from the table (Del key): its row shows killed and the lab keeps going', async ({
  page,
  labServer,
}) => {
  await openApp(page, labServer)
  const runId = await startCounters(page, { mode: 'process', lock: false, loop: true })
  await page.getByTestId('nav-monitor').click()

  const table = page.getByRole('table', { name: 'All units' })
  const main = table.locator(`[role="row"][data-kind="main"]`)
  await expect(main).toHaveAttribute('data-pid', String(labServer.pid))
  // The lab's own process cannot be ended from the UI.
  await expect(main.getByRole('button', { name: /^End/ })).toHaveCount(0)

  // Other specs share this lab: narrow the table to this run's live units first.
  await page.getByTestId('filter').fill('counters')
  await page.getByLabel('Show ended').uncheck()
  const children = table.locator(`[role="row"][data-run="${runId}"][data-kind="process"][data-state="running"]`)
  await expect(children).toHaveCount(2, { timeout: 15_000 })
  const [victim, survivor] = await rowFacts(children)
  await page.getByLabel('Show ended').check()
  await page.getByTestId('filter').fill(String(victim.pid))
  const victimRow = table.locator(`[role="row"][data-unit-id="${victim.id}"]`)
  const survivorRow = table.locator(`[role="row"][data-unit-id="${survivor.id}"]`)

  await victimRow.click()
  await expect(victimRow).toHaveAttribute('aria-selected', 'true')
  await expect(page.getByTestId('unit-details')).toContainText(`PID${victim.pid}`)
  await page.keyboard.press('Delete')
  const dialog = page.getByRole('dialog')
  await expect(dialog).toContainText(`PID ${victim.pid}`)
  await page.screenshot({ path: `${SCREENSHOTS}/monitor-confirm-end.png` })
  await dialog.getByTestId('confirm-end').click()

  await expect(victimRow).toHaveAttribute('data-state', 'killed')
  await expect.poll(() => processExists(victim.pid)).toBe(false)
  // The chosen row stays chosen although it ended and rows moved.
  await expect(victimRow).toHaveAttribute('aria-selected', 'true')

  // The lab keeps going: its process lives, ticks keep coming (its running time advances), its row stays running.
  const time = main.locator('.c-time')
  const before = await time.textContent()
  await expect(time).not.toHaveText(before ?? '', { timeout: 5000 })
  await expect(main).toHaveAttribute('data-state', 'running')
  expect(processExists(labServer.pid)).toBe(true)
  // The run joins its units, so losing one ends the run; the survivor is ended with it, not left behind.
  await page.getByTestId('filter').fill(String(survivor.pid))
  await expect(survivorRow).toHaveAttribute('data-state', /^(running|exited|killed)$/)
  await page.getByTestId('filter').fill('')
  await page.getByTestId('nav-scenarios').click()
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-run', runId)
  if ((await page.getByTestId('run-status').getAttribute('data-status')) === 'running')
    await page.getByTestId('stop').click()
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', /^(stopped|failed)$/)
  await expect(page.getByTestId('run-result')).toContainText(/ended by the lab|killed/)
  await page.screenshot({ path: `${SCREENSHOTS}/scenarios-after-end.png` })
})

test('filter, sort by TID, the CPU scale toggle and Space to pause', async ({ page, labServer }) => {
  await openApp(page, labServer)
  const runId = await startCounters(page, { mode: 'thread', lock: false, loop: true })
  await page.getByTestId('nav-monitor').click()
  const table = page.getByRole('table', { name: 'All units' })
  // Other specs share this lab: only this run's live units.
  await page.getByLabel('Show ended').uncheck()
  await page.getByTestId('filter').fill('counters')
  const threads = table.locator(`[role="row"][data-run="${runId}"][data-kind="thread"][data-state="running"]`)
  await expect(threads).toHaveCount(2, { timeout: 15_000 })

  // Filter by a TID: the match and its ancestor (the lab) remain.
  const tid = (await threads.first().getAttribute('data-tid'))!
  await page.getByTestId('filter').fill(tid)
  await expect(table.locator('[role="row"][data-unit-id]')).toHaveCount(2)
  await expect(table.locator(`[role="row"][data-tid="${tid}"]`)).toBeVisible()
  await page.getByTestId('filter').fill('counters')

  // Sort by TID, descending then ascending: the lab stays on top, its children follow the order.
  const header = table.getByRole('columnheader', { name: /TID/ })
  await header.getByRole('button').click()
  await expect(header).toHaveAttribute('aria-sort', 'descending')
  const tids = async (): Promise<number[]> => (await rowFacts(threads)).map((r) => r.tid!)
  const desc = await tids()
  expect(desc).toEqual([...desc].sort((a, b) => b - a))
  await header.getByRole('button').click()
  await expect(header).toHaveAttribute('aria-sort', 'ascending')
  const asc = await tids()
  expect(asc).toEqual([...asc].sort((a, b) => a - b))
  expect(asc).toEqual([...desc].reverse())

  // % of machine halves a one-core figure on two cores: the header says which.
  await page.getByRole('radio', { name: '% of machine' }).check()
  await expect(table.getByRole('columnheader', { name: /CPU \(machine\)/ })).toBeVisible()
  await page.getByRole('radio', { name: '% of one core' }).check()

  // Space pauses the display; the cells hold still; Space again resumes.
  await table.click()
  await page.keyboard.press('Space')
  await expect(page.getByTestId('pause')).toHaveAttribute('aria-pressed', 'true')
  const frozen = await table.locator('.rows').innerText()
  await page.waitForTimeout(1500)
  expect(await table.locator('.rows').innerText()).toBe(frozen)
  await page.keyboard.press('Space')
  await expect(page.getByTestId('pause')).toHaveAttribute('aria-pressed', 'false')
  await expect.poll(() => table.locator('.rows').innerText()).not.toBe(frozen)

  // A thread picked while the filter holds its row in view (the table draws only the rows on screen, and with every
  // unit of the earlier specs shown this run's rows may be far below), then the whole table with its details.
  const picked = (await threads.first().getAttribute('data-tid'))!
  await threads.first().click()
  await page.getByTestId('filter').fill('')
  await page.getByLabel('Show ended').check()
  await expect(page.getByTestId('unit-details')).toContainText(`TID${picked}`)
  await page.waitForTimeout(2500)
  await page.screenshot({ path: `${SCREENSHOTS}/monitor-light.png` })
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.waitForTimeout(700)
  await page.screenshot({ path: `${SCREENSHOTS}/monitor-dark.png` })
  await page.getByTestId('nav-scenarios').click()
  await page.waitForTimeout(700)
  await page.screenshot({ path: `${SCREENSHOTS}/scenarios-dark.png` })
  await page.emulateMedia({ colorScheme: 'light' })
  await page.waitForTimeout(700)
  await page.screenshot({ path: `${SCREENSHOTS}/scenarios-light.png` })
  for (const view of ['compare', 'programs'] as const) {
    await page.getByTestId(`nav-${view}`).click()
    await page.screenshot({ path: `${SCREENSHOTS}/${view}.png` })
  }
  await page.getByTestId('nav-scenarios').click()
  await page.getByTestId('stop').click()
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'stopped')
})

test("the lab's refusal is shown as a sentence: ending a unit that finished while the dialog was open", async ({
  page,
  labServer,
}) => {
  await openApp(page, labServer)
  const runId = await startCounters(page, { mode: 'thread', lock: false, loop: false, from: 30, delay: 50 })
  await page.getByTestId('nav-monitor').click()
  const table = page.getByRole('table', { name: 'All units' })
  await page.getByTestId('filter').fill('counters')
  const row = table.locator(`[role="row"][data-run="${runId}"][data-state="running"]`).first()
  const id = (await row.getAttribute('data-unit-id'))!
  await row.click()
  await page.keyboard.press('Delete')
  await expect(page.getByRole('dialog')).toBeVisible()
  // The run finishes on its own under the open dialog.
  await expect(table.locator(`[role="row"][data-unit-id="${id}"]`)).toHaveAttribute('data-state', 'exited', {
    timeout: 15_000,
  })
  await page.getByTestId('confirm-end').click()
  await expect(page.getByRole('alert')).toHaveText(
    /^Could not end counters \/ \w+: counters \/ \w+ has already exited\.$/,
  )
  await page.getByTestId('filter').fill('')
})

test('the sampling interval can be changed and the sampler reports its own cost', async ({ page, labServer }) => {
  await openApp(page, labServer)
  await expect(page.getByTestId('sampler-cost')).toContainText(/\d+(\.\d+)? ms\/tick/)
  await page.getByTestId('interval').selectOption('1000')
  await expect(page.getByTestId('interval')).toHaveValue('1000')
  await expect(page.getByRole('alert')).toHaveCount(0)
  await page.getByTestId('interval').selectOption('500')
})
