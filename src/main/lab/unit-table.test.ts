// The unit table: state accounting for the timeline and summaries, and its bound on ended units; the outbox's log order.
import { describe, expect, it } from 'vitest'
import type { LogLine, Unit } from '../../shared/model'
import { fakeUnit } from '../../../test/fixtures/unit'
import { MAX_LOG_HOLD_MS, Outbox, UnitTable } from './unit-table'

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

describe('Outbox', () => {
  const line = (unit: string, t: number): LogLine => ({ t, unit, runId: 'r1', text: `${unit} ${t}`, stream: 'out' })
  const texts = (logs: LogLine[]): string[] => logs.map((l) => l.text)
  /** Two units of a run that print; ai's line stamped 100 is in, and khanh has not been heard since it began. */
  const aiPrinted = (): Outbox => {
    const box = new Outbox()
    box.follow('khanh', 'r1', 0)
    box.follow('ai', 'r1', 0)
    box.logs.push(line('ai', 100))
    box.heard('ai', 100)
    return box
  }

  it('holds a line while another unit of its run may still send an earlier one, and lets it go once that one is in', () => {
    const box = aiPrinted()
    expect(texts(box.drain(150).logs)).toEqual([])
    box.logs.push(line('khanh', 99), line('khanh', 120))
    box.heard('khanh', 120)
    expect(texts(box.drain(200).logs)).toEqual(['khanh 99', 'ai 100'])
  })

  it('orders lines stamped the same instant by the order their units were made in, whatever order they arrived in', () => {
    const box = new Outbox()
    const tied = (unit: string): LogLine => ({ ...line(unit, 100), text: unit })
    box.logs.push(tied('u12'), tied('u3'), line('u3', 99.5), tied('u9'))
    box.logs.push({ t: 100, unit: null, runId: null, text: 'lab', stream: 'out' })
    expect(texts(box.drain(Infinity).logs)).toEqual(['u3 99.5', 'lab', 'u3', 'u9', 'u12'])
  })

  it('lets a line go by age only once it was past the hold at the drain before: a tick after a stall lets nothing go', () => {
    // ai's line is read; khanh's, printed just before it, is still in its pipe when the lab stalls.
    const box = aiPrinted()
    expect(texts(box.drain(150).logs)).toEqual([])
    // The first tick after a stall of 800 ms runs before the lab reads its pipes: by its clock the line is overdue.
    expect(texts(box.drain(150 + 800).logs)).toEqual([])
    // The pipe is read before the next tick: the earlier line is in, and both go in the order they were printed.
    box.logs.push(line('khanh', 99))
    expect(texts(box.drain(1050).logs)).toEqual(['khanh 99', 'ai 100'])
  })

  it('never holds a line longer than the hold and one tick when the other unit stays silent', () => {
    const box = aiPrinted()
    const released: number[] = []
    for (let now = 200; now <= 2000 && released.length === 0; now += 100)
      if (box.drain(now).logs.length > 0) released.push(now)
    expect(released).toEqual([100 + MAX_LOG_HOLD_MS + 100])
  })
})
