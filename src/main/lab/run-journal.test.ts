import { describe, expect, it } from 'vitest'
import type { Tick, Unit } from '../../shared/model'
import { JOURNAL_SAMPLES, RunJournal } from './run-journal'
import { runToEnd, useLabs } from './testing/lab-fixture'
import { scenarios } from '../../../scenarios/index'

const newLab = useLabs()

describe('run history (what a reloaded window gets back)', () => {
  it("keeps each run's units, log, state changes and result", async () => {
    const lab = newLab({ scenarios })
    const a = await runToEnd(lab, 'counters', { mode: 'thread' })
    const b = await runToEnd(lab, 'pool-async', { mode: 'thread', count: 6 })
    await lab.flush()
    const ha = await lab.runHistory({ runId: a.id })
    expect(ha.run.status).toBe('done')
    expect(ha.logs.map((l) => l.text)).toContain('khanh thread: 5')
    expect(ha.logCount).toBe(ha.logs.length)
    expect(ha.units.map((u) => u.label).sort()).toEqual(['counters / ai', 'counters / khanh'])
    const states = new Set(ha.states.map((s) => s.state))
    expect(states.has('running') && states.has('exited')).toBe(true)
    // Each unit's CPU % and OS letter per tick, for the timeline's shade; only this run's units.
    const c = await runToEnd(lab, 'spin', { workers: 1, seconds: 1, duty: 50 })
    await lab.flush()
    const hc = await lab.runHistory({ runId: c.id })
    const ids = new Set(hc.units.map((u) => u.id))
    expect(hc.samples.length).toBeGreaterThan(2)
    expect(hc.samples.every((x) => ids.has(x.unit))).toBe(true)
    expect(hc.samples.filter((x) => typeof x.cpu === 'number' && x.cpu > 0).length).toBeGreaterThan(2)
    if (process.platform === 'linux') expect(hc.samples.some((x) => x.os === 'S' || x.os === 'R')).toBe(true)
    expect(ha.samples.every((x) => new Set(ha.units.map((u) => u.id)).has(x.unit))).toBe(true)
    const hb = await lab.runHistory({ runId: b.id })
    expect(hb.tasks.filter((t) => t.phase === 'finished')).toHaveLength(6)
    expect(hb.logs.every((l) => l.runId === b.id)).toBe(true)
    await expect(lab.runHistory({ runId: 'r999' })).rejects.toThrow(/r999/)
  })
})

describe("a run journal's samples", () => {
  it('keeps the last JOURNAL_SAMPLES points in order, unknown CPU as null', () => {
    const journal = new RunJournal('r1')
    const unit = { id: 'u1', runId: 'r1' } as Unit
    const other = { id: 'u2', runId: 'r2' } as Unit
    const tick = (i: number): Tick =>
      ({
        seq: i,
        t: i * 10,
        units: i === 0 ? [unit, other] : [],
        samples: [
          { id: 'u1', cpu: i % 3 === 0 ? null : i / 4, cpuSeconds: null, rss: null, heap: null, os: i % 2 ? 'R' : 'S' },
          { id: 'u2', cpu: 1, cpuSeconds: null, rss: null, heap: null },
        ],
        logs: [],
        events: [],
      }) as unknown as Tick
    const n = JOURNAL_SAMPLES + 500
    for (let i = 0; i < n; i++) journal.record(tick(i))
    const points = journal.history().samples
    expect(points).toHaveLength(JOURNAL_SAMPLES)
    // Only this run's unit, the oldest 500 gone, every point as it came.
    points.forEach((p, k) => {
      const i = k + 500
      expect(p).toEqual({ t: i * 10, unit: 'u1', cpu: i % 3 === 0 ? null : i / 4, os: i % 2 ? 'R' : 'S' })
    })
    // A short run keeps only what it had.
    const short = new RunJournal('r1')
    for (let i = 0; i < 3; i++) short.record(tick(i))
    expect(short.history().samples.map((p) => p.t)).toEqual([0, 10, 20])
  })
})
