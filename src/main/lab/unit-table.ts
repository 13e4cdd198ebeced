// Every unit the lab knows, the changes since the last tick, and per-unit lock wait / hold accounting.
import type { LabEvent, LogLine, TransientStats, Unit, UnitState } from '../../shared/model'
import { isFinal } from '../../shared/model'

interface LockClock {
  waitMs: number
  holdMs: number
  since: number
  state: UnitState
}

/** The longest a log line waits for earlier-printed lines of its run that may still be on their way. */
export const MAX_LOG_HOLD_MS = 500

/** Everything that happened between two ticks, drained by the scheduler. */
export class Outbox {
  logs: LogLine[] = []
  events: LabEvent[] = []
  /** Units that print with their own stamps, with the newest stamp heard from each (their messages arrive in order). */
  private readonly sources = new Map<string, { runId: string | null; t: number }>()

  /** A unit whose lines carry its own stamps: lines of its run wait until it has been heard past their time. */
  follow(unit: string, runId: string | null, t: number): void {
    this.sources.set(unit, { runId, t })
  }

  /** The unit sent something stamped t: nothing it prints later can be stamped earlier. */
  heard(unit: string, t: number): void {
    const s = this.sources.get(unit)
    if (s && t > s.t) s.t = t
  }

  /** The unit ended: every line it printed is in. */
  forget(unit: string): void {
    this.sources.delete(unit)
  }

  /** The time of the last regular drain (see released). */
  private lastDrain = -Infinity

  /** Short-lived processes by parent unit since the last tick. */
  private transients = new Map<string, { processes: number; cpuMs: number; names: Set<string> }>()

  /** Counts processes that came and went under `unit` (and the CPU they used, ms). */
  addTransient(unit: string, processes: number, cpuMs: number, names: readonly string[]): void {
    if (processes === 0 && cpuMs <= 0) return
    let t = this.transients.get(unit)
    if (!t) this.transients.set(unit, (t = { processes: 0, cpuMs: 0, names: new Set() }))
    t.processes += processes
    t.cpuMs += cpuMs
    for (const n of names) if (t.names.size < TRANSIENT_NAMES) t.names.add(n)
  }

  /**
   * Everything gathered so far, in time order. A log line waits while another unit of its run has not yet been heard
   * past the line's stamp (a line it printed earlier may still be in flight), for at most MAX_LOG_HOLD_MS, so the log
   * keeps the order the lines were printed in across ticks, not only within one. `now` Infinity sends everything.
   *
   * A line goes by age only once it was past MAX_LOG_HOLD_MS at the drain before this one: between two drains the lab
   * has read its pipes and ports at least once. A tick that comes after the lab was held up (starved of CPU, or a long
   * piece of work) runs before the lab reads what arrived meanwhile: by its own clock it would let a line go while an
   * earlier-printed one of another unit sits unread in a pipe.
   */
  drain(now = Infinity): { logs: LogLine[]; events: LabEvent[]; transient: TransientStats } {
    const parents = [...this.transients].map(([unit, t]) => ({
      unit,
      processes: t.processes,
      cpuMs: Math.round(t.cpuMs),
      names: [...t.names],
    }))
    const transient = {
      processes: parents.reduce((a, p) => a + p.processes, 0),
      cpuMs: parents.reduce((a, p) => a + p.cpuMs, 0),
      parents,
    }
    this.logs.sort(byStamp)
    const aged = this.lastDrain - MAX_LOG_HOLD_MS
    if (now !== Infinity) this.lastDrain = now
    let cut = 0
    while (cut < this.logs.length && this.released(this.logs[cut], now, aged)) cut++
    const out = { logs: this.logs.slice(0, cut), events: this.events.sort((a, b) => a.t - b.t), transient }
    this.logs = this.logs.slice(cut)
    this.events = []
    this.transients = new Map()
    return out
  }

  private released(line: LogLine, now: number, aged: number): boolean {
    if (now === Infinity || line.t <= aged) return true
    for (const [unit, s] of this.sources) if (unit !== line.unit && s.runId === line.runId && s.t < line.t) return false
    return true
  }
}

/**
 * Log order: by stamp, and lines stamped the very same instant (units that wake from the same sleep together do, to the
 * clock's last bit) by the order their units were made in, as a scenario that sorts its units' lines by stamp (a
 * stable sort over its units in order) has them. Arrival order would differ from run to run.
 */
function byStamp(a: LogLine, b: LogLine): number {
  return a.t - b.t || unitOrder(a.unit) - unitOrder(b.unit)
}

/** Unit ids are made in order (see UnitTable.nextId); the lab's own lines come first. */
const unitOrder = (unit: string | null): number => (unit === null ? -1 : Number(unit.slice(1)))

/** Names of short-lived processes kept per parent and tick (the count is whole). */
const TRANSIENT_NAMES = 5

export class UnitTable {
  private readonly units = new Map<string, Unit>()
  private readonly changed = new Set<string>()
  private readonly lockClocks = new Map<string, LockClock>()
  private seq = 0
  private changes = 0
  /** ofRun's lists at runCacheVersion. */
  private readonly runCache = new Map<string, Unit[]>()
  private runCacheVersion = -1

  constructor(private readonly outbox: Outbox) {}

  /** Moves whenever a unit is added, changed or forgotten: what was derived from the table at one version still holds. */
  get version(): number {
    return this.changes
  }

  nextId(): string {
    return `u${this.seq++}`
  }

  add(unit: Unit): Unit {
    this.units.set(unit.id, unit)
    this.changed.add(unit.id)
    this.changes++
    this.lockClocks.set(unit.id, { waitMs: 0, holdMs: 0, since: unit.createdAt, state: unit.state })
    this.outbox.events.push({ type: 'state', t: unit.createdAt, unit: unit.id, state: unit.state })
    return unit
  }

  get(id: string): Unit | undefined {
    return this.units.get(id)
  }

  all(): Unit[] {
    return [...this.units.values()]
  }

  /** The units of one run: the same list while the table is at the same version (the stuck check asks every tick). */
  ofRun(runId: string): readonly Unit[] {
    if (this.runCacheVersion !== this.changes) {
      this.runCache.clear()
      this.runCacheVersion = this.changes
    }
    let out = this.runCache.get(runId)
    if (out) return out
    out = []
    for (const u of this.units.values()) if (u.runId === runId) out.push(u)
    this.runCache.set(runId, out)
    return out
  }

  live(): Unit[] {
    const out: Unit[] = []
    for (const u of this.units.values()) if (!isFinal(u.state)) out.push(u)
    return out
  }

  update(id: string, patch: Partial<Omit<Unit, 'id' | 'state'>>): void {
    const unit = this.units.get(id)
    if (!unit) return
    Object.assign(unit, patch)
    this.changed.add(id)
    this.changes++
  }

  /** Records a state change at lab time t; final states are never left. */
  setState(id: string, state: UnitState, t: number): void {
    const unit = this.units.get(id)
    if (!unit || unit.state === state || isFinal(unit.state)) return
    const lc = this.lockClocks.get(id)!
    const spent = Math.max(0, t - lc.since)
    if (lc.state === 'waiting') lc.waitMs += spent
    if (lc.state === 'holding') lc.holdMs += spent
    lc.since = t
    lc.state = state
    unit.state = state
    if (isFinal(state)) unit.endedAt = t
    this.changed.add(id)
    this.changes++
    this.outbox.events.push({ type: 'state', t, unit: id, state })
  }

  lockTimes(id: string): { waitMs: number; holdMs: number } {
    const lc = this.lockClocks.get(id)
    return lc ? { waitMs: lc.waitMs, holdMs: lc.holdMs } : { waitMs: 0, holdMs: 0 }
  }

  /**
   * Forgets the oldest ended units beyond `keep`, so a long session does not grow without bound.
   * Returns the ids dropped. Units whose end has not been sent in a tick yet are kept.
   */
  prune(keep: number): string[] {
    // On the per-tick path: nothing to scan while the table is within the bound.
    if (this.units.size <= keep) return []
    let count = 0
    for (const u of this.units.values()) if (isFinal(u.state) && !this.changed.has(u.id)) count++
    if (count <= keep) return []
    const ended = this.all().filter((u) => isFinal(u.state) && !this.changed.has(u.id))
    ended.sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0))
    const dropped = ended.slice(0, ended.length - keep).map((u) => u.id)
    this.changes++
    for (const id of dropped) {
      this.units.delete(id)
      this.lockClocks.delete(id)
    }
    return dropped
  }

  /** Forgets the ended units of a run whose end has been sent; returns their ids. */
  forgetRun(runId: string): string[] {
    const dropped: string[] = []
    for (const u of this.units.values()) {
      if (u.runId !== runId || !isFinal(u.state) || this.changed.has(u.id)) continue
      this.units.delete(u.id)
      this.lockClocks.delete(u.id)
      dropped.push(u.id)
      this.changes++
    }
    return dropped
  }

  drainChanged(): Unit[] {
    const out = [...this.changed].map((id) => ({ ...this.units.get(id)! }))
    this.changed.clear()
    return out
  }
}
