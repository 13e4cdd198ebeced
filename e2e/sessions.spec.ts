// Recorded sessions in the app: a counters run with the lock flipped live is recorded, opened from the Sessions view
// into the same Scenarios view, scrubbed to its middle and played at x4; its Perfetto export reads back as Perfetto
// would; two recordings of one Python script (thread pool, process pool) side by side show the GIL.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { JSHandle, Page } from '@playwright/test'
import { expect, root, test } from './fixtures/lab'
import { openApp, runRows, SCREENSHOTS, startCounters } from './ui-helpers'

function lab(args: string[], sessionsDir: string): string {
  return execFileSync(process.execPath, ['--import', 'tsx', 'src/main/cli/index.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PARALLEL_LAB_SESSIONS_DIR: sessionsDir },
    timeout: 120_000,
  })
}

async function slideTo(page: Page, fraction: number): Promise<void> {
  const slider = page.getByTestId('replay-slider')
  const box = (await slider.boundingBox())!
  await page.mouse.move(box.x + 2, box.y + box.height / 2)
  await page.mouse.down()
  await page.mouse.move(box.x + box.width * fraction, box.y + box.height / 2, { steps: 12 })
  await page.mouse.up()
}

const seconds = (text: string | null): number => {
  const m = /^(?:(\d+):)?([\d.]+)/.exec(text ?? '')
  return m ? Number(m[1] ?? 0) * 60 + Number(m[2]) : NaN
}

test('a recorded run opens in the same views, scrubs to any instant and plays at x4', async ({ page, labServer }) => {
  await openApp(page, labServer)
  // The lab is shared with the specs before this one: this run's recording is the one that was not there yet.
  mkdirSync(labServer.sessionsDir, { recursive: true })
  const sessionsBefore = new Set(readdirSync(labServer.sessionsDir))
  const runId = await startCounters(page, { mode: 'thread', lock: false, loop: true, delay: 20 })
  await page.waitForTimeout(2500)
  await page.getByRole('switch', { name: 'Lock' }).click()
  await page.waitForTimeout(2500)
  await page.getByTestId('stop').click()
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'stopped')

  await page.getByTestId('nav-sessions').click()
  const ours = readdirSync(labServer.sessionsDir).filter((name) => !sessionsBefore.has(name))
  expect(ours).toHaveLength(1)
  const row = page
    .locator(`[data-session="${ours[0]}"]`)
    .filter({ hasText: 'counters' })
    .filter({ hasNotText: 'recording now' })
  await expect(async () => {
    await page.getByTestId('sessions-refresh').click()
    await expect(row).toHaveCount(1, { timeout: 1000 })
  }).toPass({ timeout: 15_000 })
  await page.screenshot({ path: `${SCREENSHOTS}/sessions-list.png` })
  await row.getByTestId('session-open').click()

  // The same Scenarios view, drawn from the recording, read only.
  await expect(page.getByTestId('replay-bar')).toBeVisible()
  await expect(page.getByTestId('replay-readonly')).toHaveText(/cannot start, stop or end anything/)
  await expect(page.getByTestId('start')).toBeDisabled()
  await expect(page.getByTestId('stop')).toBeDisabled()

  await slideTo(page, 0.5)
  const pos = await page.getByTestId('replay-position').textContent()
  const [at, total] = (pos ?? '').split(' / ').map(seconds)
  expect(at / total).toBeGreaterThan(0.3)
  expect(at / total).toBeLessThan(0.7)
  // At the middle the run was still going: its two units and its status as they were then, the timeline drawn.
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'running')
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-run', runId)
  await expect(runRows(page)).toHaveCount(2)
  await expect(runRows(page, 'running|waiting|holding')).toHaveCount(2)
  await page.screenshot({ path: `${SCREENSHOTS}/sessions-scrub-middle.png` })

  // One tick back and forth with the keys; End shows how it ended.
  await page.keyboard.press('ArrowLeft')
  await expect(page.getByTestId('replay-position')).not.toHaveText(pos!)
  await page.keyboard.press('End')
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'stopped')

  // Play at x4 from the start: recorded time runs about four times as fast as the wall clock.
  await page.keyboard.press('Home')
  await page.getByTestId('replay-speed-4').check({ force: true })
  // Frame times (rAF deltas): first the same page at rest (the reference: what this Chromium delivers on this machine
  // with nothing to draw), then while it plays (each tick a frame from the recording drawn into the views).
  const frameTimes = async (
    during: () => Promise<void>,
  ): Promise<{ frames: number; medianMs: number; p95Ms: number }> => {
    await page.evaluate(() => {
      const w = window as unknown as { frames: number[] }
      w.frames = []
      let last = performance.now()
      const step = (now: number): void => {
        w.frames.push(now - last)
        last = now
        if (w.frames.length < 600) requestAnimationFrame(step)
      }
      requestAnimationFrame(step)
    })
    await during()
    await page.waitForTimeout(1200)
    const f = await page.evaluate(() => (window as unknown as { frames: number[] }).frames.splice(0))
    const sorted = f.slice(1).sort((x, y) => x - y)
    return {
      frames: sorted.length,
      medianMs: sorted[Math.floor(sorted.length / 2)],
      p95Ms: sorted[Math.floor(sorted.length * 0.95)],
    }
  }
  const atRest = await frameTimes(async () => {})
  let before = 0
  let wall0 = 0
  const playing = await frameTimes(async () => {
    before = seconds(await page.getByTestId('replay-position').textContent())
    wall0 = Date.now()
    await page.getByTestId('replay-play').click()
  })
  mkdirSync('bench/results', { recursive: true })
  writeFileSync(
    'bench/results/record-scrub.json',
    JSON.stringify(
      { date: new Date().toISOString(), speed: 4, ...playing, atRest, loadPerCore: loadavg()[0] / cpus().length },
      null,
      2,
    ),
  )
  const after = seconds(await page.getByTestId('replay-position').textContent())
  const wall = (Date.now() - wall0) / 1000
  expect(after - before).toBeGreaterThan(wall * 1.5)
  await page.screenshot({ path: `${SCREENSHOTS}/sessions-play-x4.png` })
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.screenshot({ path: `${SCREENSHOTS}/sessions-play-x4-dark.png` })
  await page.emulateMedia({ colorScheme: 'light' })

  await page.keyboard.press('l')
  await expect(page.getByTestId('replay-bar')).toHaveCount(0)
  await expect(page.getByTestId('start')).toBeEnabled()
})

test('rewind while live: scrub back through this window and return with one key', async ({ page, labServer }) => {
  await openApp(page, labServer)
  await page.waitForTimeout(2000)
  await page.getByTestId('rewind').click()
  await expect(page.getByTestId('replay-title')).toHaveText(/Rewound/)
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft')
  await expect(page.getByTestId('replay-position')).not.toHaveText(/^(\d+\.\d) s \/ \1 s$/)
  await page.screenshot({ path: `${SCREENSHOTS}/sessions-rewind.png` })
  await page.keyboard.press('l')
  await expect(page.getByTestId('replay-bar')).toHaveCount(0)
})

test('the Perfetto export of a recording reads back as Perfetto reads JSON traces', async ({ page, labServer }) => {
  mkdirSync(labServer.sessionsDir, { recursive: true })
  const file = join(labServer.sessionsDir, 'pool.plrec')
  lab(
    ['run', 'executor', '--mode', 'thread', '--workers', '2', '--interval', '100', '--record', file],
    labServer.sessionsDir,
  )
  const trace = join(labServer.sessionsDir, 'pool.json')
  lab(['export', file, '--trace', trace], labServer.sessionsDir)
  await page.goto(`file://${join(root, 'e2e/fixtures/perfetto-json-page.html')}`)
  const parsed = await page.evaluate(
    (text) => (window as unknown as { parseTrace(t: string): Record<string, unknown> }).parseTrace(text),
    readFileSync(trace, 'utf8'),
  )
  expect(parsed.dropped).toBe(0)
  expect(parsed.unmatched).toBe(0)
  expect(parsed.openAsync).toBe(0)
  expect(parsed.unnamedThreads).toEqual([])
  expect(parsed.unnamedProcesses).toEqual([])
  expect((parsed.processes as string[]).some((p) => /lab \(main\).*\(pid \d+\)/.test(p))).toBe(true)
  expect((parsed.threads as string[]).some((t) => /worker.*\(tid \d+\)/.test(t))).toBe(true)
  expect((parsed.counterTracks as string[]).some((c) => /CPU % cpu$/.test(c))).toBe(true)
  expect(parsed.slices as number).toBeGreaterThan(3)
  expect(parsed.instants as number).toBeGreaterThan(0)
  await page.screenshot({ path: `${SCREENSHOTS}/sessions-perfetto-parse.png`, fullPage: true })
})

test('two recordings of one Python script, thread pool and process pool, side by side show the GIL', async ({
  page,
  labServer,
}) => {
  test.setTimeout(180_000)
  const dir = labServer.sessionsDir
  for (const kind of ['thread', 'process'])
    lab(['watch', '--interval', '200', '--', 'python3', 'e2e/fixtures/gil_pool.py', kind], dir)
  const names = readdirSync(dir).filter((n) => n.includes('python3'))
  expect(names.length).toBeGreaterThanOrEqual(2)
  await openApp(page, labServer)
  await page.getByTestId('nav-sessions').click()
  for (const kind of ['thread', 'process']) {
    await page
      .locator('[data-session]')
      .filter({ hasText: `gil_pool.py ${kind}` })
      .first()
      .getByRole('checkbox')
      .check()
  }
  await page.getByTestId('sessions-compare').click()
  const diff = page.getByTestId('sessions-differences')
  await expect(diff).toContainText('Wall time')
  await expect(diff).toContainText('CPU time')
  await expect(diff).toContainText('Peak memory')
  await page.getByTestId('sessions-comparison').scrollIntoViewIfNeeded()
  // Every unit in a chart's legend is drawn: a line, or a dot for one sampled once (a short-lived pool worker).
  const charts = page.getByTestId('sessions-comparison').locator('figure')
  expect(await charts.count()).toBe(2)
  for (const chart of await charts.all()) {
    expect(await chart.locator('[data-mark]').count()).toBe(await chart.locator('.key').count())
    const lines = await chart.locator('polyline').evaluateAll((ls) => ls.map((l) => l.getAttribute('points') ?? ''))
    for (const points of lines) expect(points.split(' ').length, 'a line of one point draws nothing').toBeGreaterThan(1)
  }
  await page.screenshot({ path: `${SCREENSHOTS}/sessions-compare-gil.png`, fullPage: true })
  const peaks = await page
    .locator('[data-testid="sessions-comparison"] table tbody tr td:nth-child(4)')
    .allTextContents()
  const [threadPeak, processPeak] = peaks.map((p) => parseFloat(p))
  // The thread pool's threads take turns under the GIL: about one core at most, whatever else the machine does.
  expect(threadPeak).toBeLessThan(125)
  // The processes use both cores only when the machine has them to give (a shared, loaded machine shares them out).
  const load = loadavg()[0] / cpus().length
  if (load < 1) expect(processPeak).toBeGreaterThan(threadPeak * 1.3)
  else
    test.info().annotations.push({
      type: 'load',
      description: `load ${load.toFixed(1)} per core: process pool peak ${processPeak}% vs thread pool ${threadPeak}% not compared`,
    })
})

test('a recording dropped onto the window opens in its view (browser mode: sent as an upload)', async ({
  page,
  labServer,
}) => {
  // A real recording made by the CLI, somewhere outside the sessions folder, as a person would have one.
  const elsewhere = mkdtempSync(join(tmpdir(), 'plab-drop-'))
  const file = join(elsewhere, 'pool run.plrec')
  lab(
    ['run', 'executor', '--mode', 'thread', '--workers', '2', '--interval', '100', '--record', file],
    labServer.sessionsDir,
  )
  mkdirSync(labServer.sessionsDir, { recursive: true })
  const before = new Set(readdirSync(labServer.sessionsDir))
  await openApp(page, labServer)
  await page.getByTestId('nav-monitor').click()

  /** A DataTransfer in the page holding a File made from these bytes, as the OS hands a dragged file to Chromium. */
  const transfer = (name: string, bytes: Buffer): Promise<JSHandle<DataTransfer>> =>
    page.evaluateHandle(
      ([n, b64]) => {
        const bin = atob(b64)
        const data = new Uint8Array(bin.length)
        for (let i = 0; i < bin.length; i++) data[i] = bin.charCodeAt(i)
        const dt = new DataTransfer()
        dt.items.add(new File([data], n, { type: 'application/octet-stream' }))
        return dt
      },
      [name, bytes.toString('base64')] as const,
    )

  // Dragging a file over any view shows where it goes; dropping it there opens it.
  const dataTransfer = await transfer('pool run.plrec', readFileSync(file))
  await page.dispatchEvent('main', 'dragenter', { dataTransfer })
  await page.dispatchEvent('main', 'dragover', { dataTransfer })
  await expect(page.getByTestId('drop-hint')).toHaveText('Drop a recording (.plrec) to open it')
  await page.screenshot({ path: `${SCREENSHOTS}/sessions-drop-hint.png` })
  await page.dispatchEvent('main', 'drop', { dataTransfer })
  await expect(page.getByTestId('drop-hint')).toHaveCount(0)

  // It landed in the sessions folder (checked by the lab first) and opened in the Scenarios view, read only.
  await expect(page.getByTestId('replay-bar')).toBeVisible()
  await expect(page.getByTestId('nav-scenarios')).toHaveAttribute('aria-current', 'page')
  // The Scenarios view selected the recorded scenario (executor), whatever was selected before.
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', /running|done|stopped/)
  await expect(page.getByTestId('scenario-executor')).toHaveAttribute('aria-current', 'true')
  const added = readdirSync(labServer.sessionsDir).filter((n) => !before.has(n))
  expect(added).toHaveLength(1)
  expect(added[0]).toMatch(/_uploaded-pool-run\.plrec$/)
  await page.keyboard.press('End')
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done')
  await page.screenshot({ path: `${SCREENSHOTS}/sessions-dropped-open.png` })
  await page.keyboard.press('l')
  await expect(page.getByTestId('replay-bar')).toHaveCount(0)

  // Another kind of file is refused in one sentence, on the Sessions view; nothing is sent or written.
  const notes = await transfer('notes.txt', Buffer.from('not a recording\n'))
  await page.dispatchEvent('main', 'drop', { dataTransfer: notes })
  await expect(page.getByTestId('sessions-error')).toHaveText(
    'notes.txt is not a recording: drop a .plrec file to open it.',
  )
  // A file named like a recording that is not one is refused by the lab, naming it.
  const fake = await transfer('fake.plrec', Buffer.from('hello\n'))
  await page.dispatchEvent('main', 'drop', { dataTransfer: fake })
  await expect(page.getByTestId('sessions-error')).toHaveText(
    'fake.plrec is not a Parallel Lab recording (it does not start with the PARALLEL-LAB-RECORDING header).',
  )
  expect(readdirSync(labServer.sessionsDir).filter((n) => !before.has(n))).toHaveLength(1)
})

test('compare a recording with the live run: the picker offers "Live (this window)"', async ({ page, labServer }) => {
  test.setTimeout(120_000)
  // The recording: a counters run in child processes with the lock on, made by the CLI.
  mkdirSync(labServer.sessionsDir, { recursive: true })
  const file = join(labServer.sessionsDir, 'locked.plrec')
  lab(
    [
      'run',
      'counters',
      '--mode',
      'process',
      '--lock',
      '--from',
      '40',
      '--delay',
      '20',
      '--interval',
      '200',
      '--record',
      file,
    ],
    labServer.sessionsDir,
  )
  // The live run: the same counters without the lock, in this window.
  await openApp(page, labServer)
  await startCounters(page, { mode: 'process', lock: false, loop: true, delay: 20 })
  await page.waitForTimeout(3000)

  await page.getByTestId('nav-sessions').click()
  await page.getByTestId('sessions-refresh').click()
  const live = page.locator('[data-session=":live"]')
  await expect(live).toContainText('Live (this window)')
  await page.getByTestId('sessions-pick-live').check()
  await page.locator('[data-session="locked.plrec"]').getByRole('checkbox').check()
  await page.screenshot({ path: `${SCREENSHOTS}/sessions-compare-live-picker.png` })
  await page.getByTestId('sessions-compare').click()

  const side = page.getByTestId('sessions-comparison')
  await expect(side.locator('h3')).toHaveText(['First: Live (this window)', 'Second: counters'])
  await expect(side.locator('svg')).toHaveCount(2)
  const rows = side.locator('table tbody tr')
  await expect(rows).toHaveCount(2)
  await expect(rows.nth(0).locator('td').first()).toHaveText('Live (this window)')
  await expect(page.getByTestId('sessions-differences')).toContainText('Wall time')
  // The live side follows the run: its wall time grows while it goes on.
  const wall = async (): Promise<number> => parseFloat((await rows.nth(0).locator('td').nth(1).textContent()) ?? '')
  const first = await wall()
  expect(first).toBeGreaterThan(1)
  await expect.poll(wall, { timeout: 10_000 }).toBeGreaterThan(first + 0.5)
  await side.scrollIntoViewIfNeeded()
  await page.screenshot({ path: `${SCREENSHOTS}/sessions-compare-live.png`, fullPage: true })
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.screenshot({ path: `${SCREENSHOTS}/sessions-compare-live-dark.png`, fullPage: true })
  await page.emulateMedia({ colorScheme: 'light' })
  await page.getByTestId('nav-scenarios').click()
  await page.getByTestId('stop').click()
})

test("File > Open recording… in the browser mode: the Sessions view's file chooser, then the replay", async ({
  page,
  labServer,
}) => {
  mkdirSync(labServer.sessionsDir, { recursive: true })
  const file = join(mkdtempSync(join(tmpdir(), 'plab-open-')), 'counters run.plrec')
  lab(['run', 'counters', '--interval', '100', '--record', file], labServer.sessionsDir)
  await openApp(page, labServer)
  await page.getByTestId('nav-monitor').click()
  // The command's key, as the palette and the menu list it: here no system dialog, the page's own chooser.
  const chooser = page.waitForEvent('filechooser')
  await page.keyboard.press('Control+Shift+O')
  await (await chooser).setFiles(file)
  await expect(page.getByTestId('replay-bar')).toBeVisible()
  await expect(page.getByTestId('nav-scenarios')).toHaveAttribute('aria-current', 'page')
  await expect(page.getByTestId('scenario-counters')).toHaveAttribute('aria-current', 'true')
  await page.keyboard.press('l')
})

test('"Record sessions" off: a new run is not recorded, and the window shows it off after a reload', async ({
  page,
  labServer,
}) => {
  mkdirSync(labServer.sessionsDir, { recursive: true })
  await openApp(page, labServer)
  await page.getByTestId('nav-sessions').click()
  const box = page.getByTestId('sessions-recording')
  await expect(box).toBeChecked()
  await box.uncheck()
  try {
    await page.reload()
    await page.getByTestId('nav-sessions').click()
    await expect(page.getByTestId('sessions-recording')).not.toBeChecked()
    await page.screenshot({ path: `${SCREENSHOTS}/sessions-record-off.png` })
    const before = readdirSync(labServer.sessionsDir).length
    await startCounters(page, { mode: 'thread', lock: false, loop: false, from: 5, delay: 10 })
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done')
    await page.waitForTimeout(1000)
    expect(readdirSync(labServer.sessionsDir)).toHaveLength(before)
  } finally {
    // The lab is shared with the specs after this one: recording goes back on.
    await page.getByTestId('nav-sessions').click()
    await page.getByTestId('sessions-recording').check()
  }
})
