import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import type { LabSnapshot, Tick, Unit } from '../../../shared/model'
import { fakeUnit } from '../../../../test/fixtures/unit'
import { useUnitsStore } from './units'

const unit = (id: string, patch: Partial<Unit> = {}): Unit => fakeUnit(id, { kind: 'process', pid: 10, ...patch })

const snapshot: LabSnapshot = {
  t: 0,
  pid: 10,
  units: [unit('u0', { kind: 'main', parent: null, runId: null, spawned: false })],
  runs: [],
  intervalMs: 500,
  cores: 2,
  platform: 'linux',
  collector: 'procfs',
}

const tick = (seq: number, patch: Partial<Tick>): Tick => ({
  seq,
  t: seq * 500,
  units: [],
  samples: [],
  logs: [],
  events: [],
  machine: { cores: [], memTotal: 0, memUsed: 0 },
  sampler: { intervalMs: 500, costMs: 0.2, labCpuMs: 1, collector: 'procfs' },
  transient: { processes: 0, cpuMs: 0, parents: [] },
  ...patch,
})

describe('useUnitsStore', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('keeps history per unit, a first CPU as missing (not 0), and the chosen row across ticks', () => {
    const s = useUnitsStore()
    s.reset(snapshot)
    s.applyTick(
      tick(1, { units: [unit('u1')], samples: [{ id: 'u1', cpu: null, cpuSeconds: 0, rss: 1000, heap: null }] }),
    )
    s.select('u1')
    s.applyTick(tick(2, { samples: [{ id: 'u1', cpu: 50, cpuSeconds: 0.25, rss: 2000, heap: null }] }))
    const h = s.series.get('u1')!
    expect(h.cpu.toArray()).toEqual([NaN, 50])
    expect(h.mem.toArray()).toEqual([1000, 2000])
    expect(s.rows.map((r) => r.unit.id)).toEqual(['u0', 'u1'])
    s.applyTick(tick(3, { units: [unit('u2')] }))
    expect(s.selected?.id).toBe('u1')
  })

  it("takes back a run's samples from the lab's journal before the ones ticks brought since a reload", () => {
    const s = useUnitsStore()
    s.reset(snapshot)
    // After the reload, one tick has come for u1.
    s.applyTick(tick(4, { samples: [{ id: 'u1', cpu: 40, cpuSeconds: 1, rss: 5, heap: null, os: 'R' }] }))
    s.restoreRun(
      [unit('u1')],
      [],
      [
        { t: 500, unit: 'u1', cpu: null, os: 'S' },
        { t: 1000, unit: 'u1', cpu: 80, os: 'R' },
        { t: 1500, unit: 'u1', cpu: 20, os: 'R' },
        { t: 2000, unit: 'u1', cpu: 40, os: 'R' },
      ],
    )
    const h = s.series.get('u1')!
    expect(h.t.toArray()).toEqual([500, 1000, 1500, 2000])
    expect(h.cpu.toArray()).toEqual([NaN, 80, 20, 40])
    expect(h.mem.at(3)).toBe(5)
    expect(s.osTransitions.get('u1')).toEqual([
      { t: 500, os: 'S' },
      { t: 1000, os: 'R' },
    ])
    // Restored twice (a second reload of the same history): nothing doubles.
    s.restoreRun([unit('u1')], [], [{ t: 500, unit: 'u1', cpu: null, os: 'S' }])
    expect(s.series.get('u1')!.t.toArray()).toEqual([500, 1000, 1500, 2000])
  })

  it('drops the last sample of a unit that ended and records its state changes for the timeline', () => {
    const s = useUnitsStore()
    s.reset(snapshot)
    s.applyTick(
      tick(1, {
        units: [unit('u1')],
        samples: [{ id: 'u1', cpu: 10, cpuSeconds: 0, rss: 1, heap: null }],
        events: [{ type: 'state', t: 400, unit: 'u1', state: 'running' }],
      }),
    )
    s.applyTick(
      tick(2, {
        units: [unit('u1', { state: 'killed', endedAt: 900 })],
        events: [{ type: 'state', t: 900, unit: 'u1', state: 'killed' }],
      }),
    )
    expect(s.latest.has('u1')).toBe(false)
    expect(s.transitions.get('u1')!.map((t) => t.state)).toEqual(['running', 'killed'])
    expect(s.rows.find((r) => r.unit.id === 'u1')?.runningMs).toBe(900)
  })
})
