import { describe, expect, it } from 'vitest'
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
