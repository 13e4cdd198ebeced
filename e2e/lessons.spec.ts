// Lessons in the browser against the real lab: every lesson's verdict with default parameters, broken set-ups, the code pane.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, startLabServer, test } from './fixtures/lab'
import type { Page } from '@playwright/test'
import { SCREENSHOTS, openApp } from './ui-helpers'
import { LESSON_SCENARIOS } from '../src/shared/lessons/lessons'

test.describe.configure({ mode: 'serial' })

const NODE = LESSON_SCENARIOS
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
    if (['counters', 'py-pool-async', 'py-cpu-vs-io'].includes(id))
      await page.screenshot({ path: `${SCREENSHOTS}/lesson-${id}-light.png` })
  }
})

test('set up to break the point: ✗ or the other outcome, and a prediction answered by the run', async ({
  page,
  labServer,
}) => {
  test.setTimeout(240_000)
  await openApp(page, labServer)
  // One worker and no jitter: the squares come back in submission order.
  await runLesson(page, 'pool-async', async () => {
    await page.getByLabel('Workers').fill('1')
    await page.getByLabel('Jitter (ms)').fill('0')
    await page.getByTestId('predict').selectOption('completion order (mixed)')
  })
  const verdict = page.getByTestId('verdict')
  await expect(verdict).toHaveAttribute('data-ok', 'false')
  await expect(
    verdict.locator('li[data-ok="false"]').filter({ hasText: 'completion order ≠ submission order' }),
  ).toContainText('submission order: 0, 1, 4, 9, 16')
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
  await expect(
    verdict
      .locator('li[data-ok="true"]')
      .filter({ hasText: /with the lock, every (khanh|ai) line precedes every (ai|khanh) line/ }),
  ).toHaveCount(1)
  await expect(
    verdict.locator('li[data-ok="false"]').filter({ hasText: 'your prediction: interleaved' }),
  ).toContainText('serialised')
  await setSwitch(page, 'Lock', false)

  // The second consumer held back longer than the first one's share takes: no turns.
  await runLesson(page, 'queue', async () => page.getByLabel('Second starts after (ms)').fill('500'))
  await expect(verdict).toHaveAttribute('data-ok', 'false')
  await expect(
    verdict.locator('li[data-ok="false"]').filter({ hasText: 'the consumers take turns: 1 switch between' }),
  ).toHaveCount(1)
  await page.getByLabel('Second starts after (ms)').fill('0')

  // One worker: the Node thread pool cannot run two CPU-bound tasks at once.
  await runLesson(page, 'cpu-vs-io', async () => {
    await page.getByLabel('Workers').fill('1')
    await page.getByLabel('Tasks').fill('4')
  })
  await expect(verdict.locator('li[data-ok="false"]').filter({ hasText: 'no GIL' })).toContainText(
    'one thread runs one task at a time',
  )
  await page.screenshot({ path: `${SCREENSHOTS}/lesson-cpu-vs-io-one-worker-light.png` })

  // Shared memory (Python): the second process saw 1, 2, 3, 4.
  await runLesson(page, 'py-shared-array', async () => setSwitch(page, 'Shared memory', true))
  await expect(
    verdict
      .locator('li[data-ok="true"]')
      .filter({ hasText: 'the second process saw 1, 2, 3, 4 because the array is shared' }),
  ).toHaveCount(1)
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
      const hl = page.getByTestId('code').locator('li[aria-current="true"]')
      await expect(hl).toHaveCount(1)
      await expect(hl).toContainText(code)
      await expect(page.getByTestId('code-pick')).toContainText(text)
      await page.screenshot({ path: `${SCREENSHOTS}/lesson-code-${id}-${scheme}.png` })
    }
  })
}

/** Moves over a lane of the timeline from left to right and collects what the hover says. */
async function sweep(page: Page, laneIndex: number, fromX = 125, toX?: number, step = 1): Promise<Map<string, number>> {
  const canvas = page.getByTestId('timeline')
  const box = (await canvas.boundingBox())!
  const seen = new Map<string, number>()
  const y = laneIndex * 22 + 2 + 4
  for (let x = fromX; x < (toX ?? box.width - 8); x += step) {
    await canvas.hover({ position: { x, y } })
    const tip = page.getByTestId('timeline-tip')
    if (await tip.count()) {
      const text = (await tip.textContent()) ?? ''
      if (!seen.has(text)) seen.set(text, x)
    }
  }
  return seen
}

test('timeline: task hover, helpers folded, zoom to 5 ms per division separates print ticks (light and dark)', async ({
  page,
  labServer,
}) => {
  test.setTimeout(240_000)
  await openApp(page, labServer)
  await runLesson(page, 'py-pool-async')
  const canvas = page.getByTestId('timeline')
  // Helpers are folded away by default; the toggle shows them.
  const lanes = (await canvas.getAttribute('data-lanes'))!.split('|')
  expect(lanes.some((l) => /handler|feeder|flags reader/.test(l))).toBe(false)
  // Rows that carry tasks come first.
  expect(lanes.slice(0, 5).every((l) => /^pool worker \d$/.test(l))).toBe(true)
  await page.getByTestId('show-helpers').check()
  await expect(canvas).toHaveAttribute('data-lanes', /pool task handler/)
  await page.getByTestId('show-helpers').uncheck()
  await expect(canvas).not.toHaveAttribute('data-lanes', /pool task handler/)

  // Hovering a task strip says what it computed, where, and for how long.
  const box = (await canvas.boundingBox())!
  let found: string | null = null
  for (let x = 125; x < box.width - 8 && !found; x += 2) {
    await canvas.hover({ position: { x, y: 2 + 22 - 4 } })
    const tip = page.getByTestId('timeline-tip')
    if (await tip.count()) found = await tip.textContent()
  }
  // The first lane's worker: whichever took the first tasks (on a loaded machine not always the first one started).
  expect(found).toMatch(new RegExp(`^square\\(\\d+, [\\d.]+\\) → \\d+ on ${lanes[0]}, [\\d.]+ (ms|s)$`))
  await page.screenshot({ path: `${SCREENSHOTS}/timeline-task-hover-light.png` })

  // Counters: zoom in where the first lines were printed until a division is 5 ms; single ticks can then be hovered apart.
  await page.emulateMedia({ colorScheme: 'dark' })
  await runLesson(page, 'py-counters')
  const names = (await canvas.getAttribute('data-lanes'))!.split('|')
  const khanh = names.indexOf('khanh')
  expect(khanh).toBeGreaterThanOrEqual(0)
  const before = await sweep(page, khanh, 125, undefined, 2)
  const at = [...before.entries()].find(([t]) => t.includes('khanh thread: 5'))?.[1]
  expect(at, [...before.keys()].join(' / ')).toBeDefined()
  for (let i = 0; i < 30 && Number(await page.getByTestId('timeline-scale').getAttribute('data-ms-per-div')) > 5; i++) {
    await canvas.hover({ position: { x: at!, y: khanh * 22 + 6 } })
    await page.mouse.wheel(0, -100)
  }
  await expect(page.getByTestId('timeline-scale')).toHaveAttribute('data-ms-per-div', '5')
  const after = await sweep(page, khanh, 125, undefined, 1)
  const prints = [...after.keys()].filter((t) => /khanh: (Start thread khanh|khanh thread: \d)$/.test(t))
  expect(prints.length, [...after.keys()].join(' / ')).toBeGreaterThanOrEqual(2)
  await page.screenshot({ path: `${SCREENSHOTS}/timeline-zoom-5ms-dark.png` })
})

/** Opacity (0-255) the timeline's canvas has at a lane's background (above its state bar), at a share of the plot. */
async function laneAlpha(page: Page, laneIndex: number, share: number): Promise<number> {
  return page.getByTestId('timeline').evaluate(
    (el, [lane, at]) => {
      const c = el as HTMLCanvasElement
      const k = c.width / c.clientWidth
      const x = 120 + (c.clientWidth - 128) * at
      const y = lane * 22 + 2 + 3
      return c.getContext('2d')!.getImageData(Math.round(x * k), Math.round(y * k), 1, 1).data[3]
    },
    [laneIndex, share] as const,
  )
}

test('timeline lanes are shaded by CPU %, after the run and after a reload, with a legend (light and dark)', async ({
  page,
  labServer,
}) => {
  test.setTimeout(120_000)
  await openApp(page, labServer)
  // Two units that burn 80 % of a core for 2 s beside a lesson whose units sleep.
  await runLesson(page, 'spin', async () => {
    await page.getByLabel('Seconds').fill('2')
    await page.getByLabel('Duty (%)').fill('80')
  })
  const canvas = page.getByTestId('timeline')
  const check = async (scheme: 'light' | 'dark', when: string): Promise<void> => {
    await page.emulateMedia({ colorScheme: scheme })
    const names = (await canvas.getAttribute('data-lanes'))!.split('|')
    const khanh = names.indexOf('khanh')
    expect(khanh, names.join('|')).toBeGreaterThanOrEqual(0)
    await expect(canvas).toHaveAttribute('data-cpu-lanes', /^[2-9]/)
    // Mid-run the hover says the lane's CPU and OS letter there, and the lane's background is as opaque as that CPU %
    // says (80 % at one core): shaded whatever CPU the loaded machine gave the units.
    const box = (await canvas.boundingBox())!
    await canvas.hover({ position: { x: 120 + (box.width - 128) * 0.5, y: khanh * 22 + 2 + 12 } })
    const tip = (await page.getByTestId('timeline-tip').textContent()) ?? ''
    const cpu = Number(/^khanh: CPU (\d+) % of one core, OS [RS]$/.exec(tip)?.[1] ?? NaN)
    expect(cpu, tip).toBeGreaterThan(5)
    expect(Math.abs((await laneAlpha(page, khanh, 0.5)) - (Math.min(cpu, 100) / 100) * 0.8 * 255)).toBeLessThan(6)
    await expect(page.getByTestId('cpu-legend')).toContainText('lane shade: CPU 0 → 100 % of one core')
    await page.mouse.move(0, 0)
    await page.getByTestId('timeline').scrollIntoViewIfNeeded()
    await page.screenshot({ path: `${SCREENSHOTS}/timeline-cpu-${when}-${scheme}.png` })
  }
  await check('light', 'after-run')
  await check('dark', 'after-run')
  // A lesson whose units sleep: its lanes stay almost clear. Sleeps of 200 ms put the middle of the plot well past the
  // units' start-up (loading their module takes CPU, and on a loaded machine a run of 10 ms sleeps is mostly that).
  await runLesson(page, 'counters', async () => page.getByLabel('Sleep (ms)').fill('200'))
  const names = (await canvas.getAttribute('data-lanes'))!.split('|')
  expect(await laneAlpha(page, names.indexOf('khanh'), 0.5)).toBeLessThan(30)
  // After a reload the shade comes back from the lab's journal of the run.
  await page.reload()
  await page.getByTestId('nav-scenarios').click()
  await page.getByTestId('scenario-spin').click()
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done')
  await check('light', 'after-reload')
  await check('dark', 'after-reload')
})

test("a reload after two runs brings back both runs' logs, timelines, results and form values", async ({
  page,
  labServer,
}) => {
  test.setTimeout(120_000)
  await openApp(page, labServer)
  await runLesson(page, 'counters', async () => page.getByLabel('Count from').fill('4'))
  await runLesson(page, 'py-counters')
  await page.reload()
  // The window comes back in the view it was left in (a setting): the Monitor shows that it is connected again.
  await page.getByTestId('nav-monitor').click()
  await expect(page.locator(`[role="row"][data-kind="main"][data-pid="${labServer.pid}"]`)).toBeVisible()
  for (const [id, line, count] of [
    ['counters', 'khanh thread: 4', '4'],
    ['py-counters', 'khanh thread: 5', '5'],
  ] as const) {
    await page.getByTestId('nav-scenarios').click()
    await page.getByTestId(`scenario-${id}`).click()
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done')
    await expect(page.getByTestId('log')).toContainText(line)
    await expect(page.getByTestId('verdict')).toHaveAttribute('data-ok', 'true')
    await expect(page.getByTestId('timeline')).toHaveAttribute('data-lanes', /khanh\|ai|ai\|khanh/)
    await expect(page.getByLabel('Count from')).toHaveValue(count)
    await expect(page.getByTestId('run-result').locator('table.summary tbody tr').first()).toBeVisible()
    await page.screenshot({ path: `${SCREENSHOTS}/reload-${id}-light.png` })
  }
})

test('a Python program whose thread died holding a lock is named: possible deadlock', async ({ page }) => {
  test.setTimeout(90_000)
  const dir = mkdtempSync(join(tmpdir(), 'lab-e2e-programs-'))
  writeFileSync(
    join(dir, 'deadlock.py'),
    [
      'import threading, time',
      'lock = threading.Lock()',
      'def first():',
      '    lock.acquire()',
      '    raise RuntimeError("died holding the lock")',
      'def second():',
      '    time.sleep(0.2)',
      '    with lock:',
      '        print("never")',
      'a = threading.Thread(target=first); b = threading.Thread(target=second)',
      'a.start(); b.start(); a.join(); b.join()',
      '',
    ].join('\n'),
  )
  writeFileSync(
    join(dir, 'deadlock.json'),
    JSON.stringify({ id: 'deadlock', title: 'Deadlock', command: 'python3', args: [join(dir, 'deadlock.py')] }),
  )
  const previous = process.env.PARALLEL_LAB_PROGRAMS_DIR
  process.env.PARALLEL_LAB_PROGRAMS_DIR = dir
  const server = await startLabServer()
  if (previous === undefined) delete process.env.PARALLEL_LAB_PROGRAMS_DIR
  else process.env.PARALLEL_LAB_PROGRAMS_DIR = previous
  try {
    await openApp(page, server)
    await page.getByTestId('nav-programs').click()
    await page.getByTestId('program-deadlock').click()
    await page.getByTestId('program-start').click()
    await expect(page.getByTestId('run-warning')).toContainText(
      /possible deadlock: 2 threads waiting on a lock for \d+ s/,
      { timeout: 30_000 },
    )
    await page.screenshot({ path: `${SCREENSHOTS}/deadlock-light.png` })
    await page.getByTestId('program-stop').click()
    await expect(page.getByTestId('program-status')).toHaveAttribute('data-status', 'stopped')
  } finally {
    await server.stop()
  }
})
