// The one tick loop: changing the interval while a tick runs keeps one loop, and nothing ticks after stop().
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Tick } from '../../shared/model'
import { LabClock } from './clock'
import { Scheduler, type SchedulerDeps } from './scheduler'
import { Outbox, UnitTable } from './unit-table'

let release: () => void = () => undefined

function scheduler(ticks: Tick[], opts: { intervalMs?: number; probing?: boolean } = {}): Scheduler {
  const outbox = new Outbox()
  const deps = {
    clock: new LabClock(),
    units: new UnitTable(outbox),
    outbox,
    sampler: {
      sample: async () => ({ samples: [], costMs: 0 }),
      collector: { name: 'procfs', probe: () => undefined, probing: opts.probing ?? false },
    },
    machine: { sample: () => ({ cores: [], memTotal: 0, memUsed: 0 }) },
    selfReports: new Map(),
    // Each tick waits here until the test lets it finish: a tick in flight, on demand.
    discovery: { discover: () => new Promise<void>((resolve) => (release = resolve)) },
    emit: (tick: Tick) => ticks.push(tick),
  } as unknown as SchedulerDeps
  // Intervals under 90 ms: no probes between ticks, so every armed timer is the loop's.
  return new Scheduler(deps, opts.intervalMs ?? 50)
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => vi.useRealTimers())

describe('Scheduler', () => {
  it('setTickInterval during a tick keeps one loop, at the new interval', async () => {
    const ticks: Tick[] = []
    const s = scheduler(ticks)
    s.start()
    await vi.advanceTimersByTimeAsync(0)
    // The first tick is in flight (waiting in discovery): no timer is armed.
    expect(vi.getTimerCount()).toBe(0)
    s.setTickInterval(80)
    expect(vi.getTimerCount()).toBe(0)
    release()
    await vi.advanceTimersByTimeAsync(0)
    expect(ticks).toHaveLength(1)
    expect(ticks[0].sampler.intervalMs).toBe(80)
    expect(vi.getTimerCount()).toBe(1)
    // The next tick comes after the new interval, and one at a time.
    await vi.advanceTimersByTimeAsync(80)
    release()
    await vi.advanceTimersByTimeAsync(0)
    expect(ticks).toHaveLength(2)
    expect(vi.getTimerCount()).toBe(1)
    s.stop()
  })

  it('nothing ticks after stop(), even when the interval changed during a tick', async () => {
    const ticks: Tick[] = []
    const s = scheduler(ticks)
    s.start()
    await vi.advanceTimersByTimeAsync(0)
    s.setTickInterval(60)
    release()
    await vi.advanceTimersByTimeAsync(0)
    s.stop()
    expect(vi.getTimerCount()).toBe(0)
    const before = ticks.length
    await vi.advanceTimersByTimeAsync(5_000)
    release()
    await vi.advanceTimersByTimeAsync(0)
    expect(ticks).toHaveLength(before)
  })

  it('a waiting loop is re-armed with the new interval at once', async () => {
    const ticks: Tick[] = []
    const s = scheduler(ticks)
    s.start()
    await vi.advanceTimersByTimeAsync(0)
    release()
    await vi.advanceTimersByTimeAsync(0)
    expect(ticks).toHaveLength(1)
    s.setTickInterval(85)
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(60)
    expect(ticks).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(25)
    release()
    await vi.advanceTimersByTimeAsync(0)
    expect(ticks).toHaveLength(2)
    s.stop()
  })

  it('arms looks between ticks only while some thread ran (each is a wake of the lab)', async () => {
    for (const probing of [false, true]) {
      const s = scheduler([], { intervalMs: 500, probing })
      s.start()
      await vi.advanceTimersByTimeAsync(0)
      release()
      await vi.advanceTimersByTimeAsync(0)
      // The loop's own timer, and two looks when there is something to look at.
      expect(vi.getTimerCount()).toBe(probing ? 3 : 1)
      s.stop()
    }
  })
})
