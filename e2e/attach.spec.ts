// Attach in the window: the picker finds a Python program the test started outside the lab, sorts a spinner first by
// CPU; attached, its threads and child appear, End is refused with the reason, Detach leaves it running, and the
// program's own signal handlers prove the lab never signalled it.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { callLab, expect, root, test } from './fixtures/lab'
import { openApp, SCREENSHOTS } from './ui-helpers'

interface Target {
  pid: number
  children: number[]
  child: ChildProcess
}

const dir = mkdtempSync(join(tmpdir(), 'attach-e2e-'))
/** A word only these programs' command lines hold, for the picker's filter. */
const marker = dir.split('/').pop()!
const signalsFile = join(dir, 'signals.txt')
const targets: Target[] = []

async function startTarget(args: string[]): Promise<Target> {
  const child = spawn('python3', [join(root, 'e2e/fixtures/attach_target.py'), '--signals', signalsFile, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout! }).on('line', (l) => l.startsWith('ready') && resolve(l)),
  )
  const [, pid, ...children] = line.split(' ').map(Number)
  const t = { pid, children, child }
  targets.push(t)
  return t
}

const alive = (pid: number): boolean =>
  existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'latin1'))

test.afterAll(() => {
  for (const t of targets) for (const pid of [t.pid, ...t.children]) if (alive(pid)) process.kill(pid, 'SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

test('attach to a running Python program: picker, threads and child, End refused, Detach, never signalled', async ({
  page,
  labServer,
}) => {
  const idle = await startTarget(['--threads', '3', '--children', '1'])
  const spinner = await startTarget(['--threads', '0', '--children', '0', '--spin'])
  await openApp(page, labServer)

  await page.keyboard.press('Control+Shift+A')
  const picker = page.getByTestId('attach-picker')
  await expect(picker).toBeVisible()
  await page.getByTestId('attach-filter').fill(marker)
  const rows = picker.locator('tbody tr')
  // The idle program, its child and the spinner: every process whose command line names the marker.
  await expect(rows).toHaveCount(3)
  // Sorted by name, then back to CPU (highest first): the spinner leads once its CPU has been measured.
  await page.getByTestId('attach-sort-name').click()
  await page.getByTestId('attach-sort-cpu').click()
  await expect(picker.locator('th[aria-sort="descending"]')).toHaveText(/CPU/)
  await expect(rows.first()).toHaveAttribute('data-pid', String(spinner.pid), { timeout: 15_000 })
  await expect(rows.first().locator('.cpu')).not.toHaveText('…')
  await page.screenshot({ path: `${SCREENSHOTS}/attach-picker.png` })

  await picker.locator(`tbody tr[data-pid="${idle.pid}"]`).click()
  await page.getByTestId('attach-confirm').click()
  await expect(picker).toBeHidden()

  const rootRow = page.locator(`[role="row"][data-kind="program"][data-pid="${idle.pid}"]`).first()
  await expect(rootRow).toBeVisible()
  // Threads (the main one and three workers) and the child process appear in the Monitor.
  const table = page.getByRole('table', { name: 'All units' })
  await page.getByTestId('filter').fill(String(idle.pid))
  await expect(table.locator(`[role="row"][data-kind="thread"][data-pid="${idle.pid}"]`)).toHaveCount(4, {
    timeout: 15_000,
  })
  await page.getByTestId('filter').fill(String(idle.children[0]))
  await expect(table.locator(`[role="row"][data-kind="program"][data-pid="${idle.children[0]}"]`)).toBeVisible()
  await page.getByTestId('filter').fill('')

  // End is there, disabled, with the reason; the details say so too; Delete refuses with it.
  const endOff = rootRow.getByTestId('end-disabled')
  await expect(endOff).toHaveAttribute('title', /Parallel Lab did not start this process/)
  await expect(endOff.getByRole('button')).toBeDisabled()
  await rootRow.click()
  await expect(page.getByTestId('attached-note')).toContainText('Parallel Lab did not start this process')
  await page.keyboard.press('Delete')
  await expect(page.getByRole('alert')).toContainText('Parallel Lab did not start this process')
  await page.screenshot({ path: `${SCREENSHOTS}/attach-monitor.png` })

  await rootRow.getByTestId('detach').click()
  await expect(rootRow).toHaveAttribute('data-state', 'detached')
  await page.waitForTimeout(500)
  expect(alive(idle.pid) && alive(idle.children[0]) && alive(spinner.pid)).toBe(true)
  expect(existsSync(signalsFile) ? readFileSync(signalsFile, 'utf8') : '').toBe('')
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.getByTestId('theme').selectOption('dark')
  await page.screenshot({ path: `${SCREENSHOTS}/attach-detached-dark.png` })
})

test('the picker says why a PID cannot be attached to (gone since it was listed)', async ({ page, labServer }) => {
  const shortLived = await startTarget(['--threads', '0', '--children', '0'])
  await openApp(page, labServer)
  await page.getByTestId('attach-open').click()
  await page.getByTestId('attach-filter').fill(marker)
  await page.locator(`tbody tr[data-pid="${shortLived.pid}"]`).click()
  process.kill(shortLived.pid, 'SIGKILL')
  await expect.poll(() => alive(shortLived.pid)).toBe(false)
  await page.getByTestId('attach-confirm').click()
  await expect(page.getByTestId('attach-error')).toHaveText(/PID \d+ has exited since it was listed|already exited/)
})

test('when an attached process exits its row shows it ended and says the exit code is not knowable', async ({
  page,
  labServer,
}) => {
  const target = await startTarget(['--threads', '1', '--children', '0'])
  await openApp(page, labServer)
  const { unitId } = (await callLab(labServer, 'attach', { pid: target.pid })) as { unitId: string }
  const row = page.locator(`[role="row"][data-unit-id="${unitId}"]`)
  await expect(row).toHaveAttribute('data-state', 'running')
  // Rows are drawn by position and move as they sort: only this program's rows, so the click lands on its row.
  await page.getByTestId('filter').fill(String(target.pid))
  await row.click()
  await expect(row).toHaveAttribute('aria-selected', 'true')
  // The test started it, so the test ends it; the lab only sees it go.
  process.kill(target.pid, 'SIGKILL')
  await expect(row).toHaveAttribute('data-state', 'exited')
  await expect(page.getByTestId('exit-unknown')).toContainText('exit code is not knowable')
  await expect(row.getByTestId('detach')).toHaveCount(0)
  await page.screenshot({ path: `${SCREENSHOTS}/attach-exited.png` })
})
