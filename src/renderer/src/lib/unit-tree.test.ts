import { describe, expect, it } from 'vitest'
import type { Sample } from '../../../shared/model'
import { buildRows, stepSelection, type RowOptions } from './unit-tree'
import { fakeUnit } from '../../../../test/fixtures/unit'

const unit = fakeUnit

const main = unit('u0', { kind: 'main', parent: null, label: 'lab (main)', runId: null, spawned: false })
const opts = (patch: Partial<RowOptions> = {}): RowOptions => ({
  sort: { key: 'label', dir: 1 },
  filter: '',
  collapsed: new Set(),
  showEnded: true,
  now: 1000,
  ...patch,
})
const samples = (entries: [string, number | null][]): Map<string, Sample> =>
  new Map(entries.map(([id, cpu]) => [id, { id, cpu, cpuSeconds: null, rss: 1, heap: null }]))

describe('buildRows', () => {
  const units = [
    unit('u2', { label: 'b', kind: 'process', pid: 201 }),
    main,
    unit('u1', { label: 'a', kind: 'process', pid: 200 }),
    unit('u3', { label: 't', parent: 'u2', pid: 201, tid: 202 }),
  ]

  it('puts the lab first, then its children, each process followed by its threads', () => {
    const rows = buildRows(units, new Map(), opts())
    expect(rows.map((r) => [r.unit.id, r.depth])).toEqual([
      ['u0', 0],
      ['u1', 1],
      ['u2', 1],
      ['u3', 2],
    ])
    expect(rows[0].hasChildren).toBe(true)
    expect(rows[2].hasChildren).toBe(true)
  })

  it('sorts siblings by CPU with warming-up units last, the lab staying on top', () => {
    const rows = buildRows(
      units,
      samples([
        ['u0', 1],
        ['u1', null],
        ['u2', 50],
      ]),
      opts({ sort: { key: 'cpu', dir: -1 } }),
    )
    expect(rows.map((r) => r.unit.id)).toEqual(['u0', 'u2', 'u3', 'u1'])
  })

  it('keeps the ancestors of a filter match', () => {
    const rows = buildRows(units, new Map(), opts({ filter: '202' }))
    expect(rows.map((r) => r.unit.id)).toEqual(['u0', 'u2', 'u3'])
  })

  it('hides the children of a collapsed row', () => {
    const rows = buildRows(units, new Map(), opts({ collapsed: new Set(['u2']) }))
    expect(rows.map((r) => r.unit.id)).toEqual(['u0', 'u1', 'u2'])
    expect(rows[2].collapsed).toBe(true)
  })

  it('can show one run only and hide ended units', () => {
    const list = [...units, unit('u4', { runId: 'r2' }), unit('u5', { state: 'exited', endedAt: 300 })]
    expect(buildRows(list, new Map(), opts({ runId: 'r2' })).map((r) => r.unit.id)).toEqual(['u4'])
    const live = buildRows(list, new Map(), opts({ showEnded: false })).map((r) => r.unit.id)
    expect(live).not.toContain('u5')
    const ended = buildRows(list, new Map(), opts()).find((r) => r.unit.id === 'u5')
    expect(ended?.runningMs).toBe(300)
  })

  it('reports thread memory as heap and process memory as resident', () => {
    const s = new Map<string, Sample>([
      ['u1', { id: 'u1', cpu: 0, cpuSeconds: 0, rss: 5, heap: null }],
      ['u3', { id: 'u3', cpu: 0, cpuSeconds: 0, rss: null, heap: 7 }],
    ])
    const rows = buildRows(units, s, opts())
    expect(rows.find((r) => r.unit.id === 'u1')).toMatchObject({ mem: 5, memKind: 'rss' })
    expect(rows.find((r) => r.unit.id === 'u3')).toMatchObject({ mem: 7, memKind: 'heap' })
  })
})

describe('stepSelection', () => {
  const rows = buildRows([main, unit('u1'), unit('u2')], new Map(), opts())
  it('moves within bounds and starts at the first row', () => {
    expect(stepSelection(rows, null, 1)).toBe('u0')
    expect(stepSelection(rows, 'u1', 1)).toBe('u2')
    expect(stepSelection(rows, 'u2', 1)).toBe('u2')
    expect(stepSelection(rows, 'u0', -1)).toBe('u0')
  })
})

describe('helper threads', () => {
  it('are left out unless asked for', () => {
    const units = [unit('u1', { kind: 'program' }), unit('u2', { parent: 'u1', helper: true, label: 'queue feeder' })]
    expect(buildRows(units, new Map(), opts({ runId: 'r1', showHelpers: false })).map((r) => r.unit.id)).toEqual(['u1'])
    expect(buildRows(units, new Map(), opts({ runId: 'r1', showHelpers: true })).map((r) => r.unit.id)).toEqual([
      'u1',
      'u2',
    ])
  })
})
