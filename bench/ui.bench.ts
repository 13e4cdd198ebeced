// UI benchmark: the browser mode with 64 live units at 10 ticks/s for 60 s, the Monitor view showing them all;
// BENCH_VIEW=attach: a Python program with 1,000 threads, started outside the lab and attached to, instead.
// Reports the renderer's frame time (requestAnimationFrame deltas) p50/p95, JS heap at start and end, bytes per tick.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { chromium, type Page } from '@playwright/test'
import { CHROMIUM_LAUNCH } from '../e2e/fixtures/chromium'
import { callLab, root, startLabServer } from '../e2e/fixtures/lab'
// @ts-expect-error: plain ESM script without types
import { ensureChromium } from '../scripts/ensure-chromium.mjs'
// @ts-expect-error: plain ESM script without types
import { ensureBuilt } from '../scripts/start.mjs'
import { median, p95, quantile } from './stats'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60)
const INTERVAL_MS = 100
const UNITS_PER_RUN = 32
/** monitor (every unit, one chosen), scenarios (the last run's units, timeline and log), or attach (an attached program's 1,000 threads). */
const VIEW =
  process.env.BENCH_VIEW === 'scenarios' || process.env.BENCH_VIEW === 'attach' ? process.env.BENCH_VIEW : 'monitor'
/** Threads of the attached program (BENCH_VIEW=attach). */
const ATTACH_THREADS = Number(process.env.BENCH_THREADS ?? 1000)
/** A frame later than this missed a vsync (60 Hz: 16.7 ms, measured with about 0.1 ms of jitter). */
const MISSED_MS = 20

let attached: { pid: number; child: ChildProcess; dir: string } | null = null
if (!ensureChromium()) process.exit(1)
ensureBuilt({ quiet: true })
const server = await startLabServer(['--port', '0'])
const browser = await chromium.launch(CHROMIUM_LAUNCH)

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Performance.enable')
  let counting = false
  const tickBytes: number[] = []
  cdp.on('Network.webSocketFrameReceived', (ev: { response: { payloadData: string } }) => {
    const data = ev.response.payloadData
    if (counting && data.startsWith('{"event":"tick"')) tickBytes.push(Buffer.byteLength(data))
  })

  await page.goto(server.url)
  await page.locator('[role="row"][data-kind="main"]').waitFor()
  const expected = VIEW === 'attach' ? ATTACH_THREADS + 2 : UNITS_PER_RUN * 2 + 1
  if (VIEW === 'attach') {
    attached = await startOutside(ATTACH_THREADS)
    await callLab(server, 'attach', { pid: attached.pid })
  } else {
    await startSpin(page, 'thread')
    await startSpin(page, 'process')
  }
  await page.getByTestId('interval').selectOption(String(INTERVAL_MS))
  await page.getByTestId('nav-monitor').click()
  // Rows are virtualised: count the table's rows (aria-rowcount), not the DOM's; then let every unit warm up.
  const table = page.getByRole('table', { name: 'All units' })
  await waitFor(async () => Number(await table.getAttribute('aria-rowcount')) - 1 >= expected, 'every unit to appear')
  await page.getByTestId('filter').fill('starting')
  await waitFor(
    async () => (await page.locator('[role="row"][data-state="starting"]').count()) === 0,
    'every unit to start',
  )
  await page.getByTestId('filter').fill('')
  const rows = Number(await table.getAttribute('aria-rowcount')) - 1
  await page.locator('[role="row"][data-state="running"]:not([data-kind="main"])').first().click()
  if (VIEW === 'scenarios') await page.getByTestId('nav-scenarios').click()
  await page.waitForTimeout(2000)

  // Control: the same page, load and socket with the display paused (Space), so the machine's own noise is visible.
  const BASELINE_S = Math.min(10, SECONDS)
  await page.keyboard.press('Space')
  const paused = await frameDeltas(page, BASELINE_S)
  await page.keyboard.press('Space')
  await page.waitForTimeout(500)

  const heapStart = await heapAfterGc(cdp)
  const metricsStart = await metrics(cdp)
  counting = true
  const frames = await frameDeltas(page, SECONDS)
  counting = false
  const metricsEnd = await metrics(cdp)
  const heapEndRaw = metricsEnd.JSHeapUsedSize
  const heapEnd = await heapAfterGc(cdp)
  const rendered = await page.locator('[role="row"][data-unit-id]').count()

  const MiB = 1024 * 1024
  const busy = (metricsEnd.TaskDuration - metricsStart.TaskDuration) / SECONDS
  const result = {
    date: new Date().toISOString(),
    seconds: SECONDS,
    intervalMs: INTERVAL_MS,
    liveUnits: VIEW === 'attach' ? ATTACH_THREADS + 2 : UNITS_PER_RUN * 2,
    cores: os.cpus().length,
    loadAverage: os.loadavg()[0],
    rows,
    rowsInDom: rendered,
    frames: frames.length,
    view: VIEW,
    frameMs: { p50: median(frames), p95: p95(frames), p99: quantile(frames, 0.99), max: Math.max(...frames) },
    missedVsyncShare: frames.filter((d) => d > MISSED_MS).length / frames.length,
    pausedFrameMs: { seconds: BASELINE_S, p50: median(paused), p95: p95(paused) },
    heapMiB: {
      start: heapStart / MiB,
      end: heapEnd / MiB,
      growth: (heapEnd - heapStart) / MiB,
      endBeforeGc: heapEndRaw / MiB,
    },
    ticks: tickBytes.length,
    bytesPerTick: { median: median(tickBytes), p95: p95(tickBytes) },
    rendererMainThreadBusy: busy,
    scriptSecondsPerSecond: (metricsEnd.ScriptDuration - metricsStart.ScriptDuration) / SECONDS,
    layoutSecondsPerSecond: (metricsEnd.LayoutDuration - metricsStart.LayoutDuration) / SECONDS,
    styleSecondsPerSecond: (metricsEnd.RecalcStyleDuration - metricsStart.RecalcStyleDuration) / SECONDS,
  }
  const f = (n: number, d = 1): string => n.toFixed(d)
  console.log(
    `UI bench: ${result.liveUnits} live units (${rows} rows, ${rendered} in the DOM) at ${1000 / INTERVAL_MS} ticks/s for ${SECONDS} s, ${VIEW === 'monitor' ? 'Monitor view, one unit chosen' : VIEW === 'attach' ? `Monitor view, an attached Python program with ${ATTACH_THREADS} threads` : 'Scenarios view (32 units, timeline, log)'}`,
  )
  console.log(
    `  frame time   p50 ${f(result.frameMs.p50)} ms   p95 ${f(result.frameMs.p95)} ms   p99 ${f(result.frameMs.p99)} ms   max ${f(result.frameMs.max)} ms   (${frames.length} frames, ${f(result.missedVsyncShare * 100, 2)}% over ${MISSED_MS} ms)`,
  )
  console.log(
    `  paused       p50 ${f(result.pausedFrameMs.p50)} ms   p95 ${f(result.pausedFrameMs.p95)} ms   (control: display paused for ${BASELINE_S} s, same load)`,
  )
  console.log(
    `  JS heap      start ${f(result.heapMiB.start)} MiB   end ${f(result.heapMiB.end)} MiB   growth ${f(result.heapMiB.growth, 2)} MiB (after GC; ${f(result.heapMiB.endBeforeGc)} MiB before)`,
  )
  console.log(`  machine      ${result.cores} cores, load average ${f(result.loadAverage, 2)} (1 min) at the end`)
  console.log(
    `  wire         ${result.ticks} ticks (${f(result.ticks / SECONDS)}/s), ${Math.round(result.bytesPerTick.median)} bytes/tick median, ${Math.round(result.bytesPerTick.p95)} p95`,
  )
  console.log(
    `  renderer     main thread busy ${f(busy * 100)}% of the time, script ${f(result.scriptSecondsPerSecond * 100)}%, layout ${f(result.layoutSecondsPerSecond * 100)}%, style ${f(result.styleSecondsPerSecond * 100)}%`,
  )
  mkdirSync('bench/results', { recursive: true })
  writeFileSync(`bench/results/ui-${VIEW}-${result.date.replace(/[:.]/g, '-')}.json`, JSON.stringify(result, null, 2))
} finally {
  await browser.close()
  await server.stop()
  // The bench started it, so the bench ends it (the lab only watched it).
  attached?.child.kill('SIGKILL')
  if (attached) rmSync(attached.dir, { recursive: true, force: true })
}

/** The attach fixture program with `threads` idle threads, started outside the lab. */
async function startOutside(threads: number): Promise<{ pid: number; child: ChildProcess; dir: string }> {
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-attach-'))
  const child = spawn(
    'python3',
    [
      join(root, 'e2e/fixtures/attach_target.py'),
      '--signals',
      join(dir, 'signals.txt'),
      '--threads',
      String(threads),
      '--children',
      '0',
      '--nap',
      '2',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout! }).on('line', (l) => l.startsWith('ready') && resolve(l)),
  )
  return { pid: Number(line.split(' ')[1]), child, dir }
}

async function startSpin(page: Page, mode: 'thread' | 'process'): Promise<void> {
  await page.getByTestId('nav-scenarios').click()
  await page.getByTestId('scenario-spin').click()
  await page.getByRole('radio', { name: mode, exact: true }).check()
  await page.getByLabel('Workers').fill(String(UNITS_PER_RUN))
  await page.getByLabel('Seconds').fill('0')
  // Nearly idle: the figures are the UI's, not a busy machine's.
  await page.getByLabel('Duty (%)').fill('1')
  await page.getByTestId('start').click()
  await page.getByTestId('run-status').filter({ hasText: 'running' }).waitFor()
}

/** requestAnimationFrame deltas for `seconds`; a string, not a function: tsx's helpers (__name) do not exist in the page. */
async function frameDeltas(page: Page, seconds: number): Promise<number[]> {
  return (await page.evaluate(`new Promise((resolve) => {
    const deltas = []
    let last = performance.now()
    const end = last + ${seconds * 1000}
    const frame = (now) => {
      deltas.push(now - last)
      last = now
      if (now < end) requestAnimationFrame(frame)
      else resolve(deltas)
    }
    requestAnimationFrame(frame)
  })`)) as number[]
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`Gave up waiting for ${what}.`)
}

async function heapAfterGc(cdp: import('@playwright/test').CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage')
  return (await cdp.send('Runtime.getHeapUsage')).usedSize
}

async function metrics(cdp: import('@playwright/test').CDPSession): Promise<Record<string, number>> {
  const { metrics } = await cdp.send('Performance.getMetrics')
  return Object.fromEntries(metrics.map((m: { name: string; value: number }) => [m.name, m.value]))
}
