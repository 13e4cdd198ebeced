// Lessons in the browser against the real lab: every lesson's verdict with default parameters, broken set-ups, the code pane.
import { expect, test } from './fixtures/lab'
import type { Page } from '@playwright/test'
import { SCREENSHOTS, openApp } from './ui-helpers'

test.describe.configure({ mode: 'serial' })

const NODE = ['counters', 'shared-array', 'queue', 'queue-drain', 'pool-async', 'executor', 'executor-map', 'startup-cost', 'cpu-vs-io']
const PYTHON = NODE.map((id) => `py-${id}`)

/** Picks a lesson in the Scenarios view, lets `setup` change its form, starts it and waits for its end. */
async function runLesson(page: Page, id: string, setup?: () => Promise<void>): Promise<void> {
  await page.getByTestId('nav-scenarios').click()
  await page.getByTestId(`scenario-${id}`).click()
  await setup?.()
  const status = page.getByTestId('run-status')
  const before = (await status.count()) ? await status.getAttribute('data-run') : null
  await page.getByTestId('start').click()
  await expect(status).not.toHaveAttribute('data-run', before ?? '')
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 90_000 })
}

async function setSwitch(page: Page, label: string, on: boolean): Promise<void> {
  const sw = page.getByRole('switch', { name: label })
  if ((await sw.isChecked()) !== on) await sw.click()
}

test('every lesson, Node and Python, shows its point with ✓ on default parameters', async ({ page, labServer }) => {
  test.setTimeout(600_000)
  await openApp(page, labServer)
  for (const id of [...NODE, ...PYTHON]) {
    await runLesson(page, id)
    const verdict = page.getByTestId('verdict')
    await expect(verdict, id).toHaveAttribute('data-ok', 'true')
    await expect(verdict.locator('li[data-ok="true"]').first()).toContainText(/\S/)
    if (['counters', 'py-pool-async', 'py-cpu-vs-io'].includes(id)) await page.screenshot({ path: `${SCREENSHOTS}/lesson-${id}-light.png` })
  }
})

test('set up to break the point: ✗ or the other outcome, and a prediction answered by the run', async ({ page, labServer }) => {
  test.setTimeout(180_000)
  await openApp(page, labServer)
  // One worker and no jitter: the squares come back in submission order.
  await runLesson(page, 'pool-async', async () => {
    await page.getByLabel('Workers').fill('1')
    await page.getByLabel('Jitter (ms)').fill('0')
    await page.getByTestId('predict').selectOption('completion order (mixed)')
  })
  const verdict = page.getByTestId('verdict')
  await expect(verdict).toHaveAttribute('data-ok', 'false')
  await expect(verdict.locator('li[data-ok="false"]').filter({ hasText: 'completion order ≠ submission order' })).toContainText('submission order: 0, 1, 4, 9, 16')
  await expect(verdict.locator('li[data-ok="false"]').filter({ hasText: 'your prediction' })).toHaveCount(1)
  await page.screenshot({ path: `${SCREENSHOTS}/lesson-pool-async-broken-light.png` })
  // The raw result is behind "details", lists on one line.
  await expect(page.getByTestId('result-json')).toHaveCount(0)
  await page.getByTestId('result-details').click()
  await expect(page.getByTestId('result-json')).toContainText('"results": [0, 1, 4, 9, 16')

  // With the lock: serialised, the other outcome, checked as such.
  await runLesson(page, 'counters', async () => {
    await setSwitch(page, 'Lock', true)
    await page.getByTestId('predict').selectOption('interleaved')
  })
  await expect(verdict.locator('li[data-ok="true"]').filter({ hasText: 'with the lock, every khanh line precedes every ai line' })).toHaveCount(1)
  await expect(verdict.locator('li[data-ok="false"]').filter({ hasText: 'your prediction: interleaved' })).toContainText('serialised')
  await setSwitch(page, 'Lock', false)

  // Shared memory (Python): the second process saw 1, 2, 3, 4.
  await runLesson(page, 'py-shared-array', async () => setSwitch(page, 'Shared memory', true))
  await expect(verdict.locator('li[data-ok="true"]').filter({ hasText: 'the second process saw 1, 2, 3, 4 because the array is shared' })).toHaveCount(1)
})

for (const scheme of ['light', 'dark'] as const) {
  test(`choosing a log line highlights the line of code that printed it (${scheme})`, async ({ page, labServer }) => {
    await page.emulateMedia({ colorScheme: scheme })
    await openApp(page, labServer)
    for (const [id, text, code] of [
      ['counters', 'ai thread: 3', 'w.log(text)'],
      ['py-counters', 'khanh thread: 4', 'lab.say(text)'],
    ] as const) {
      await runLesson(page, id)
      await page.getByTestId('log').locator('li', { hasText: text }).first().click()
      const hl = page.getByTestId('code').locator('li.hl')
      await expect(hl).toHaveCount(1)
      await expect(hl).toContainText(code)
      await expect(page.getByTestId('code-pick')).toContainText(text)
      await page.screenshot({ path: `${SCREENSHOTS}/lesson-code-${id}-${scheme}.png` })
    }
  })
}
