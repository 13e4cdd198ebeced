// Test helpers: a real Lab per test (offering the built-in scenarios, as the entries do), closed afterwards, and /proc checks.
import { existsSync, readFileSync } from 'node:fs'
import { afterEach } from 'vitest'
import type { RunInfo, Tick } from '../../../shared/model'
import { scenarios } from '../../../../scenarios/index'
import { Lab, type LabOptions } from '../lab'

/** Creates labs that are closed after each test, so no unit outlives its test. */
export function useLabs(): (opts?: LabOptions) => Lab {
  const labs: Lab[] = []
  afterEach(async () => {
    await Promise.all(labs.splice(0).map((l) => l.close()))
  })
  return (opts = {}) => {
    const lab = new Lab({ scenarios, intervalMs: 100, ...opts })
    labs.push(lab)
    return lab
  }
}

export async function runToEnd(lab: Lab, scenario: string, params: Record<string, unknown> = {}): Promise<RunInfo> {
  const run = await lab.start({ scenario, params })
  return lab.wait(run.id)
}

/** Collects every tick a lab emits. */
export function recordTicks(lab: Lab): Tick[] {
  const ticks: Tick[] = []
  lab.onTick((t) => ticks.push(t))
  return ticks
}

export function procExists(pid: number, tid?: number | null): boolean {
  return existsSync(tid ? `/proc/${pid}/task/${tid}` : `/proc/${pid}`) && !isZombie(pid, tid)
}

function isZombie(pid: number, tid?: number | null): boolean {
  try {
    const stat = readFileSync(tid ? `/proc/${pid}/task/${tid}/stat` : `/proc/${pid}/stat`, 'latin1')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z'
  } catch {
    return false
  }
}

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  stepMs = 20,
): Promise<boolean> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, stepMs))
  }
  return check()
}
