// The unit table: state accounting for the timeline and summaries, and its bound on ended units.
import { describe, expect, it } from 'vitest'
import type { Unit } from '../../shared/model'
import { fakeUnit } from '../../../test/fixtures/unit'
import { Outbox, UnitTable } from './unit-table'

function unit(table: UnitTable): Unit {
  return table.add(fakeUnit(table.nextId(), { parent: null, runId: null }))
}

describe('UnitTable', () => {
  it('adds up lock wait and hold time from state changes, and never leaves a final state', () => {
    const table = new UnitTable(new Outbox())
    const u = unit(table)
    table.setState(u.id, 'waiting', 10)
    table.setState(u.id, 'holding', 40)
    table.setState(u.id, 'running', 100)
    table.setState(u.id, 'exited', 120)
    table.setState(u.id, 'running', 130)
    expect(table.lockTimes(u.id)).toEqual({ waitMs: 30, holdMs: 60 })
    expect(table.get(u.id)!.state).toBe('exited')
    expect(table.get(u.id)!.endedAt).toBe(120)
  })

  it('forgets the oldest ended units beyond the bound, but not before their end was sent', () => {
    const table = new UnitTable(new Outbox())
    const units = Array.from({ length: 5 }, () => unit(table))
    units.forEach((u, i) => table.setState(u.id, 'exited', 100 + i))
    expect(table.prune(2)).toEqual([]) // ends not yet drained into a tick
    table.drainChanged()
    expect(table.prune(2)).toEqual([units[0].id, units[1].id, units[2].id])
    expect(table.all().map((u) => u.id)).toEqual([units[3].id, units[4].id])
  })
})
