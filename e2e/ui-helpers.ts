// Steps the UI specs share: open the app, start a run from the Scenarios form, read rows, log lines and /proc.
import { existsSync, readFileSync } from 'node:fs'
import { expect, type Locator, type Page } from '@playwright/test'
import type { LabServer } from './fixtures/lab'

export const SCREENSHOTS = 'e2e/screenshots'

export async function openApp(page: Page, labServer: LabServer): Promise<void> {
  await page.goto(labServer.url)
  await expect(page.locator(`[role="row"][data-kind="main"][data-pid="${labServer.pid}"]`)).toBeVisible()
}

export interface RunOptions {
  mode: 'thread' | 'process'
  lock: boolean
  loop: boolean
  /** Count from (default 5) and sleep between lines in ms (default 10). */
  from?: number
  delay?: number
}

async function setSwitch(page: Page, label: string, on: boolean): Promise<void> {
  const sw = page.getByRole('switch', { name: label })
  if ((await sw.isChecked()) !== on) await sw.click()
  await expect(sw).toBeChecked({ checked: on })
}

/** Starts counters from the Scenarios form and returns the new run's id. */
export async function startCounters(page: Page, opts: RunOptions): Promise<string> {
  await page.getByTestId('nav-scenarios').click()
  await page.getByTestId('scenario-counters').click()
  await page.getByRole('radio', { name: opts.mode, exact: true }).check()
  await setSwitch(page, 'Lock', opts.lock)
  await setSwitch(page, 'Loop', opts.loop)
  await page.getByLabel('Count from').fill(String(opts.from ?? 5))
  await page.getByLabel('Sleep (ms)').fill(String(opts.delay ?? 10))
  const status = page.getByTestId('run-status')
  const before = (await status.count()) ? await status.getAttribute('data-run') : null
  await page.getByTestId('start').click()
  await expect(status).not.toHaveAttribute('data-run', before ?? '')
  await expect(status).toHaveAttribute('data-status', /running|done/)
  return (await status.getAttribute('data-run'))!
}

/** Rows of the Scenarios view's unit table, optionally only those in one state (a regex source like "waiting|holding"). */
export function runRows(page: Page, state?: string): Locator {
  const rows = page.getByRole('table', { name: 'Units of this run' }).locator('[role="row"][data-unit-id]')
  return state
    ? rows.filter({ has: page.locator(`.c-state [data-state]`).filter({ hasText: new RegExp(`^(${state})$`) }) })
    : rows
}

export interface RowFacts {
  id: string
  pid: number
  tid: number | null
  state: string
  cpu: string
  mem: string
}

export async function rowFacts(rows: Locator): Promise<RowFacts[]> {
  return rows.evaluateAll((trs) =>
    trs.map((tr) => {
      const el = tr as HTMLElement
      return {
        id: el.dataset.unitId ?? '',
        pid: Number(el.dataset.pid),
        tid: el.dataset.tid ? Number(el.dataset.tid) : null,
        state: el.dataset.state ?? '',
        cpu: el.querySelector('.c-cpu')?.textContent?.trim() ?? '',
        mem: el.querySelector('.c-mem')?.textContent?.trim() ?? '',
      }
    }),
  )
}

/** Unit id of every unit line in the run's log, in order ("run" lines left out). */
export async function logUnits(page: Page): Promise<{ unit: string; text: string }[]> {
  return page
    .getByTestId('log')
    .locator('li[data-unit]')
    .evaluateAll((lis) =>
      lis
        .map((li) => ({
          unit: (li as HTMLElement).dataset.unit ?? '',
          text: li.querySelector('.text')?.textContent ?? '',
        }))
        .filter((l) => l.unit !== ''),
    )
}

/** How often consecutive lines come from different units. */
export function switches(units: readonly string[]): number {
  let n = 0
  for (let i = 1; i < units.length; i++) if (units[i] !== units[i - 1]) n++
  return n
}

export function processExists(pid: number): boolean {
  return existsSync(`/proc/${pid}`)
}

/** Parent PID from /proc/PID/stat (field 4, after the command in parentheses). */
export function parentPid(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
}
