// The sampler against real busy and idle units: CPU% in points of one core, RSS, and thread ids in /proc.
import { describe, expect, it } from 'vitest'
import type { Sample, Tick, Unit } from '../../../shared/model'
import { procExists, useLabs, waitFor } from '../testing/lab-fixture'
import type { Lab } from '../lab'

const newLab = useLabs()

/** Mean CPU% per unit of the given runs over `ticks` ticks after warm-up. */
async function measure(lab: Lab, ticks: number): Promise<Map<string, { unit: Unit; cpu: number; rss: number | null }>> {
  const seen: Tick[] = []
  const off = lab.onTick((t) => seen.push(t))
  await waitFor(() => seen.length >= ticks + 3, 60_000)
  off()
  const out = new Map<string, { unit: Unit; cpu: number; rss: number | null }>()
  for (const unit of (await lab.snapshot()).units) {
    // Skip the first ticks: start-up and the first, delta-less sample.
    const samples = seen
      .slice(3)
      .map((t) => t.samples.find((s) => s.id === unit.id))
      .filter((s): s is Sample => s !== undefined && s.cpu !== null)
    if (samples.length === 0) continue
    const cpu = samples.reduce((a, s) => a + s.cpu!, 0) / samples.length
    out.set(unit.id, { unit, cpu, rss: samples.at(-1)?.rss ?? null })
  }
  return out
}

describe.each(['thread', 'process'] as const)('sampling a %s', (mode) => {
  it('a busy unit reads 90-105% of one core, an idle one under 5%', async () => {
    const lab = newLab({ intervalMs: 250 })
    const busy = await lab.start({ scenario: 'spin', params: { mode, workers: 1, seconds: 0, duty: 100 } })
    const idle = await lab.start({ scenario: 'spin', params: { mode, workers: 1, seconds: 0, duty: 0 } })
    const readings = [...(await measure(lab, 8)).values()]
    const b = readings.find((r) => r.unit.runId === busy.id)!
    const i = readings.find((r) => r.unit.runId === idle.id)!
    expect(b.cpu).toBeGreaterThanOrEqual(90)
    expect(b.cpu).toBeLessThanOrEqual(105)
    expect(i.cpu).toBeLessThan(5)
    if (mode === 'process') {
      expect(b.rss).toBeGreaterThan(0)
      expect(i.rss).toBeGreaterThan(0)
    } else {
      expect(b.unit.tid).not.toBeNull()
      expect(b.unit.pid).toBe(process.pid)
      expect(procExists(process.pid, b.unit.tid)).toBe(true)
    }
  })
})

describe('the first sample of a unit', () => {
  it('has no delta yet: cpu is null, never 0', async () => {
    const lab = newLab({ intervalMs: 200 })
    const firsts: Sample[] = []
    const seen = new Set<string>()
    lab.onTick((t) => {
      for (const s of t.samples) {
        if (!seen.has(s.id)) firsts.push(s)
        seen.add(s.id)
      }
    })
    const run = await lab.start({ scenario: 'spin', params: { mode: 'process', workers: 2, seconds: 1 } })
    await lab.wait(run.id)
    await lab.flush()
    expect(firsts.length).toBeGreaterThanOrEqual(3)
    for (const s of firsts) expect(s.cpu).toBeNull()
  })
})

describe('threads where the OS gives no per-thread counters (the pidusage collector)', () => {
  it('read their own event loop: a busy one near 100%, an idle one near 0, labelled as such', async () => {
    const lab = newLab({ intervalMs: 250, collector: 'pidusage' })
    const busy = await lab.start({ scenario: 'spin', params: { mode: 'thread', workers: 1, seconds: 0, duty: 100 } })
    const idle = await lab.start({ scenario: 'spin', params: { mode: 'thread', workers: 1, seconds: 0, duty: 0 } })
    const seen: Tick[] = []
    const off = lab.onTick((t) => seen.push(t))
    await waitFor(() => seen.length >= 12, 60_000)
    off()
    const units = (await lab.snapshot()).units
    const readings = (runId: string): Sample[] => {
      const unit = units.find((u) => u.runId === runId)!
      return seen.slice(4).flatMap((t) => t.samples.filter((s) => s.id === unit.id && s.cpu !== null))
    }
    const mean = (xs: Sample[]): number => xs.reduce((a, s) => a + s.cpu!, 0) / xs.length
    const b = readings(busy.id)
    const i = readings(idle.id)
    expect(b.length).toBeGreaterThanOrEqual(4)
    expect(b.every((s) => s.cpuSource === 'event-loop')).toBe(true)
    expect(mean(b)).toBeGreaterThanOrEqual(85)
    expect(mean(b)).toBeLessThanOrEqual(105)
    expect(mean(i)).toBeLessThan(10)
  })
})
