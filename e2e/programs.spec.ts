// Programs view against the real lab and real python3: a Python scenario's process and its threads in the tree
// (PIDs and TIDs checked in /proc), worker processes of a process pool as children, CPU by process, Stop ends the tree.
import { existsSync } from 'node:fs'
import type { Page } from '@playwright/test'
import { expect, test } from './fixtures/lab'
import { SCREENSHOTS, openApp, parentPid, processExists, rowFacts } from './ui-helpers'

test.describe.configure({ mode: 'serial' })

function treeRows(page: Page) {
  return page
    .getByRole('table', { name: 'Processes and threads of this program' })
    .getByRole('row')
    .and(page.locator('[data-unit-id]'))
}

async function startCpuVsIo(page: Page, pools: 'thread' | 'process', work: number): Promise<void> {
  await page.getByTestId('nav-programs').click()
  await page.getByTestId('program-py-cpu-vs-io').click()
  await expect(page.getByRole('heading', { name: 'CPU-bound vs IO-bound (Python)' })).toBeVisible()
  await page.locator('[data-field="pools"]').getByRole('radio', { name: pools, exact: true }).check()
  await page.locator('[data-field="job"]').getByRole('radio', { name: 'cpu', exact: true }).check()
  await page.getByLabel('Work per task (ms)').fill(String(work))
  await page.getByTestId('program-start').click()
  await expect(page.getByTestId('program-status')).toHaveAttribute('data-status', 'running')
}

test('a Python thread pool: one process, every thread a row with a real TID, two pool threads sharing about one core', async ({
  page,
  labServer,
}) => {
  await openApp(page, labServer)
  await startCpuVsIo(page, 'thread', 1500)
  const rows = treeRows(page)
  const proc = rows.and(page.locator('[data-kind="program"]'))
  await expect(proc).toHaveCount(1)
  const [root] = await rowFacts(proc)
  expect(root.tid).toBeNull()
  expect(parentPid(root.pid)).toBe(labServer.pid)
  // The pool's two threads appear under the process once Python has started them.
  const pool = rows.and(page.locator('[data-kind="thread"]')).filter({ hasText: /pool_\d/ })
  await expect(pool).toHaveCount(2, { timeout: 15_000 })
  for (const t of await rowFacts(rows.and(page.locator('[data-kind="thread"]')))) {
    expect(t.pid).toBe(root.pid)
    expect(existsSync(`/proc/${t.pid}/task/${t.tid}`), `/proc/${t.pid}/task/${t.tid}`).toBe(true)
  }
  // CPU by process: one process, its threads' sum readable as a number.
  const cpu = page.getByTestId('process-cpu').locator('li')
  await expect(cpu).toHaveCount(1)
  await expect(cpu.first()).not.toHaveAttribute('data-cpu', '', { timeout: 10_000 })
  await page.waitForTimeout(1500)
  await page.screenshot({ path: `${SCREENSHOTS}/programs-thread-pool.png` })
  await expect(page.getByTestId('program-status')).toHaveAttribute('data-status', 'done', { timeout: 45_000 })
  await expect(page.getByTestId('log')).toContainText('CPU-bound, thread')
})

test('a Python process pool: worker processes appear as children with their own PIDs; Stop ends the whole tree', async ({
  page,
  labServer,
}) => {
  await openApp(page, labServer)
  await startCpuVsIo(page, 'process', 5000)
  const rows = treeRows(page)
  const procs = rows.and(page.locator('[data-kind="program"]'))
  await expect(procs).toHaveCount(3, { timeout: 15_000 })
  const facts = await rowFacts(procs)
  const root = facts.find((p) => parentPid(p.pid) === labServer.pid)!
  const workers = facts.filter((p) => p !== root)
  for (const w of workers) expect(parentPid(w.pid)).toBe(root.pid)
  await expect(page.getByTestId('process-cpu').locator('li')).toHaveCount(3)
  await page.waitForTimeout(2000)
  // Two workers on CPU work: the sentence speaks of the CPU, not of the parent waiting on its pipes.
  const why = page.getByTestId('why-not-faster')
  await expect(why).toContainText('Why isn', { timeout: 10_000 })
  await expect(why).toContainText(/CPU work itself|more cores than there are/)
  await expect(why).not.toContainText('bound by I/O')
  await page.screenshot({ path: `${SCREENSHOTS}/programs-process-pool.png` })

  await page.getByTestId('program-stop').click()
  await expect(page.getByTestId('program-status')).toHaveAttribute('data-status', 'stopped')
  for (const p of facts) await expect.poll(() => processExists(p.pid), { message: `pid ${p.pid} gone` }).toBe(false)
  await expect(procs.and(page.locator('[data-state="killed"]'))).toHaveCount(3)
})

test('Python counters with the Lock: tutorial lines per thread in the log, waiting and holding on the timeline', async ({
  page,
  labServer,
}) => {
  await openApp(page, labServer)
  await page.getByTestId('nav-programs').click()
  await page.getByTestId('program-py-counters').click()
  await page.locator('[data-field="mode"]').getByRole('radio', { name: 'thread', exact: true }).check()
  const lock = page.getByRole('switch', { name: 'Lock' })
  if (!(await lock.isChecked())) await lock.click()
  await page.getByLabel('Sleep (ms)').fill('150')
  // Wait for this run, not an earlier run of the same program that the window still shows.
  const status = page.getByTestId('program-status')
  const before = (await status.count()) ? await status.getAttribute('data-run') : null
  await page.getByTestId('program-start').click()
  await expect(status).not.toHaveAttribute('data-run', before ?? '')
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 30_000 })
  const log = page.getByTestId('log')
  await expect(log).toContainText('khanh thread: 5')
  await expect(log).toContainText('ai thread: 1')
  // Serialised: all of one unit, then all of the other.
  const lines = (await log.locator('li[data-unit] .text').allTextContents()).filter((t) =>
    /^(khanh|ai) thread: \d$/.test(t),
  )
  expect(lines).toHaveLength(10)
  expect(new Set(lines.slice(0, 5).map((l) => l.split(':')[0])).size).toBe(1)
  // The named threads are rows of the python3 process.
  await expect(
    treeRows(page)
      .and(page.locator('[data-kind="thread"]'))
      .filter({ hasText: /^\s*khanh\s*$|khanh/ }),
  ).toHaveCount(1)
  await page.screenshot({ path: `${SCREENSHOTS}/programs-counters-lock.png` })
})

test('Open program in the browser mode: no dialog here, the lab says where program files go', async ({
  page,
  labServer,
}) => {
  await openApp(page, labServer)
  await page.getByTestId('nav-programs').click()
  await page.getByTestId('program-open').click()
  const error = page.getByTestId('program-open-error')
  await expect(error).toContainText('The program could not be added: Opening a file needs the desktop app.')
  await expect(error).toContainText('.parallel-lab/programs')
  await expect(error).toBeInViewport()
  await page.screenshot({ path: `${SCREENSHOTS}/programs-open.png` })
})
