// Turns the flat unit list into the table's rows: a tree (process, then its threads), sorted, filtered.
import type { Sample, Unit } from '../../../shared/model'
import { isFinal } from '../../../shared/model'

export type SortKey = 'label' | 'kind' | 'pid' | 'tid' | 'state' | 'split' | 'cpu' | 'mem' | 'time'
export type SortDir = 1 | -1

export interface SortSpec {
  key: SortKey
  dir: SortDir
}

export interface UnitRow {
  unit: Unit
  sample: Sample | undefined
  depth: number
  hasChildren: boolean
  collapsed: boolean
  /** Resident memory for processes, V8 heap for threads (see memKind). */
  mem: number | null
  memKind: 'rss' | 'heap' | null
  runningMs: number
}

export interface RowOptions {
  sort: SortSpec
  /** Case-insensitive text; a match keeps its ancestors so the tree stays readable. */
  filter: string
  collapsed: ReadonlySet<string>
  showEnded: boolean
  /** Lab time now, for running time of live units. */
  now: number
  /** Only the units of this run (flat under their nearest included ancestor). */
  runId?: string | null
  /** Include helper threads (folded away by default). */
  showHelpers?: boolean
}

const STATE_ORDER: Record<Unit['state'], number> = {
  holding: 0,
  running: 1,
  waiting: 2,
  starting: 3,
  crashed: 4,
  killed: 5,
  exited: 6,
  detached: 7,
}

export function memoryOf(sample: Sample | undefined): { mem: number | null; memKind: UnitRow['memKind'] } {
  if (sample?.rss != null) return { mem: sample.rss, memKind: 'rss' }
  if (sample?.heap != null) return { mem: sample.heap, memKind: 'heap' }
  return { mem: null, memKind: null }
}

export function runningMs(unit: Unit, now: number): number {
  return Math.max(0, (unit.endedAt ?? now) - unit.createdAt)
}

/** Numeric part of "u12", so u10 sorts after u9. */
export function unitOrdinal(id: string): number {
  const n = Number.parseInt(id.replace(/^\D+/, ''), 10)
  return Number.isFinite(n) ? n : 0
}

function sortValue(row: UnitRow, key: SortKey): number | string {
  const u = row.unit
  switch (key) {
    case 'label':
      return u.label.toLowerCase()
    case 'kind':
      return u.kind
    case 'pid':
      return u.pid
    case 'tid':
      return u.tid ?? -1
    case 'state':
      return STATE_ORDER[u.state]
    case 'cpu':
      // Warming up (null) and ended units sink below any measured value.
      return row.sample?.cpu ?? -1
    case 'split': {
      // Most time away from a CPU first when descending: what the bar shows in grey and colour.
      const t = row.sample?.time
      return t ? t.runqueue + t.blocked - t.onCpu : -Infinity
    }
    case 'mem':
      return row.mem ?? -1
    case 'time':
      return row.runningMs
  }
}

export function compareRows(a: UnitRow, b: UnitRow, sort: SortSpec): number {
  const va = sortValue(a, sort.key)
  const vb = sortValue(b, sort.key)
  const c = typeof va === 'string' && typeof vb === 'string' ? va.localeCompare(vb) : (va as number) - (vb as number)
  // Ties keep creation order so rows do not swap places from one tick to the next.
  return c !== 0 ? c * sort.dir : unitOrdinal(a.unit.id) - unitOrdinal(b.unit.id)
}

export function matchesFilter(unit: Unit, needle: string): boolean {
  if (!needle) return true
  const hay = [
    unit.label,
    unit.kind,
    String(unit.pid),
    unit.tid === null ? '' : String(unit.tid),
    unit.state,
    unit.command ?? '',
  ]
  return hay.some((h) => h.toLowerCase().includes(needle))
}

export function buildRows(units: Iterable<Unit>, samples: ReadonlyMap<string, Sample>, opts: RowOptions): UnitRow[] {
  const needle = opts.filter.trim().toLowerCase()
  const byId = new Map<string, Unit>()
  for (const u of units) {
    if (opts.runId != null && u.runId !== opts.runId) continue
    if (!opts.showEnded && isFinal(u.state)) continue
    if (u.helper && opts.showHelpers === false) continue
    byId.set(u.id, u)
  }

  // Keep matches and their ancestors.
  let visible: Map<string, Unit> = byId
  if (needle) {
    visible = new Map()
    for (const u of byId.values()) {
      if (!matchesFilter(u, needle)) continue
      for (
        let cur: Unit | undefined = u;
        cur && !visible.has(cur.id);
        cur = cur.parent ? byId.get(cur.parent) : undefined
      ) {
        visible.set(cur.id, cur)
      }
    }
  }

  const children = new Map<string | null, UnitRow[]>()
  for (const u of visible.values()) {
    const parent = u.parent !== null && visible.has(u.parent) ? u.parent : null
    const sample = samples.get(u.id)
    const row: UnitRow = {
      unit: u,
      sample,
      depth: 0,
      hasChildren: false,
      collapsed: !needle && opts.collapsed.has(u.id),
      ...memoryOf(sample),
      runningMs: runningMs(u, opts.now),
    }
    const list = children.get(parent)
    if (list) list.push(row)
    else children.set(parent, [row])
  }

  const out: UnitRow[] = []
  const walk = (parent: string | null, depth: number): void => {
    const list = children.get(parent)
    if (!list) return
    list.sort((a, b) => {
      // The lab's own process stays on top whatever the sort.
      if ((a.unit.kind === 'main') !== (b.unit.kind === 'main')) return a.unit.kind === 'main' ? -1 : 1
      return compareRows(a, b, opts.sort)
    })
    for (const row of list) {
      row.depth = depth
      row.hasChildren = children.has(row.unit.id)
      out.push(row)
      if (!row.collapsed) walk(row.unit.id, depth + 1)
    }
  }
  walk(null, 0)
  return out
}

/** The id of the row `step` rows away from `current` (for arrow keys); the first row when none is chosen. */
export function stepSelection(rows: readonly UnitRow[], current: string | null, step: number): string | null {
  if (rows.length === 0) return current
  const i = current === null ? -1 : rows.findIndex((r) => r.unit.id === current)
  if (i < 0) return rows[0].unit.id
  return rows[Math.min(rows.length - 1, Math.max(0, i + step))].unit.id
}
