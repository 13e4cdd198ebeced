// The Lock toggle acts live: flipped while units loop, their output turns serialised, then interleaved again.
import { describe, expect, it } from 'vitest'
import type { LogLine } from '../src/shared/model'
import { useLabs, waitFor } from '../src/main/lab/testing/lab-fixture'

const newLab = useLabs()

/** Lengths of the runs of consecutive lines printed by one unit. */
function runLengths(lines: LogLine[]): number[] {
  const out: number[] = []
  for (let i = 0; i < lines.length; i++) {
    if (i > 0 && lines[i].unit === lines[i - 1].unit) out[out.length - 1]++
    else out.push(1)
  }
  return out
}

describe.each(['thread', 'process'] as const)('live lock toggle in %s mode', (mode) => {
  it('serialises the output while on and lets it interleave again when off', async () => {
    const lab = newLab()
    const logs: LogLine[] = []
    lab.onTick((t) => logs.push(...t.logs.filter((l) => l.unit !== null)))
    const run = await lab.start({ scenario: 'counters', params: { mode, loop: true, delay: 10 } })
    const phase = async (lines: number): Promise<LogLine[]> => {
      const from = logs.length
      await waitFor(() => logs.length - from >= lines, 20_000)
      await lab.flush()
      return logs.slice(from)
    }
    await phase(10) // let both units get going
    await lab.setLock({ runId: run.id, on: true })
    await phase(10) // rounds that began before the switch finish unlocked
    const locked = await phase(30)
    await lab.setLock({ runId: run.id, on: false })
    await phase(10)
    const unlocked = await phase(30)
    await lab.stop({ runId: run.id })

    // While on: whole counts of 5 by one unit at a time (ignore the cut ends of the window).
    const lockedRuns = runLengths(locked).slice(1, -1)
    expect(lockedRuns.length).toBeGreaterThanOrEqual(3)
    expect(lockedRuns.every((n) => n === 5)).toBe(true)
    // Both units get turns.
    expect(new Set(locked.map((l) => l.unit)).size).toBe(2)
    // While off: the units' lines interleave (runs far shorter than a whole count).
    const unlockedRuns = runLengths(unlocked)
    expect(unlockedRuns.length).toBeGreaterThan(12)
  })
})
