// The fold of a session's ticks into what views show at one instant; keyframes are this state, written out.
import type { LabEvent, LogLine, RunInfo, RunSummary, Sample, Tick, Unit, UnitState } from '../model'
import { isFinal } from '../model'
import type { RecordedResult, SessionStateData, StartedItem } from './format'

/** Bounds of what a keyframe carries (the renderer's own buffers keep about as much). */
export const KEPT_LOGS = 2000
export const KEPT_EVENTS = 5000
export const KEPT_TRANSITIONS = 1000
export const KEPT_UNITS = 3000

function trimTo<T>(list: T[], cap: number): void {
  if (list.length > cap) list.splice(0, list.length - Math.floor(cap * 0.75))
}

export class SessionState {
  t = 0
  seq = -1
  readonly units = new Map<string, Unit>()
  readonly latest = new Map<string, Sample>()
  readonly runs = new Map<string, RunInfo>()
  readonly transitions = new Map<string, { t: number; state: UnitState }[]>()
  readonly logs: LogLine[] = []
  readonly events: LabEvent[] = []
  readonly started: StartedItem[] = []
  readonly summaries = new Map<string, RunSummary>()
  readonly results: RecordedResult[] = []
  tickRest: Record<string, unknown> | null = null
  /** CPU % of the last tick's units but threads (a process's threads are in its own figure): its total. */
  cpu = 0

  static from(data: SessionStateData): SessionState {
    const s = new SessionState()
    s.t = data.t
    s.seq = data.seq
    for (const u of data.units) s.units.set(u.id, u)
    for (const x of data.latest) s.latest.set(x.id, x)
    for (const r of data.runs) s.runs.set(r.id, r)
    for (const id of Object.keys(data.transitions)) s.transitions.set(id, [...data.transitions[id]])
    s.logs.push(...data.logs)
    s.events.push(...data.events)
    s.started.push(...data.started)
    for (const sum of data.summaries) s.summaries.set(sum.run.id, sum)
    s.results.push(...data.results)
    s.tickRest = data.tickRest
    return s
  }

  toData(): SessionStateData {
    return {
      t: this.t,
      seq: this.seq,
      units: [...this.units.values()],
      latest: [...this.latest.values()],
      runs: [...this.runs.values()],
      transitions: Object.fromEntries(this.transitions),
      logs: [...this.logs],
      events: [...this.events],
      started: [...this.started],
      summaries: [...this.summaries.values()],
      results: [...this.results],
      tickRest: this.tickRest,
    }
  }

  /** Units already there when the session starts: their lanes begin at creation, as a view that connects draws them. */
  seed(t: number, units: readonly Unit[], runs: readonly RunInfo[]): void {
    this.t = t
    for (const u of units) {
      this.upsert(u)
      this.transitions.set(u.id, [{ t: u.createdAt, state: u.state }])
    }
    for (const r of runs) this.runs.set(r.id, r)
  }

  private upsert(u: Unit): void {
    this.units.set(u.id, u)
    if (isFinal(u.state)) this.latest.delete(u.id)
  }

  private pushTransition(id: string, t: number, state: UnitState): void {
    let list = this.transitions.get(id)
    if (!list) this.transitions.set(id, (list = []))
    if (list[list.length - 1]?.state === state) return
    list.push({ t, state })
    trimTo(list, KEPT_TRANSITIONS)
  }

  applyTick(tick: Tick): void {
    this.t = tick.t
    this.seq = tick.seq
    for (const u of tick.units) this.upsert(u)
    let cpu = 0
    for (let i = 0; i < tick.samples.length; i++) {
      const s = tick.samples[i]
      const u = this.units.get(s.id)
      if (s.cpu !== null && u?.kind !== 'thread') cpu += s.cpu
      if (u && isFinal(u.state)) continue
      this.latest.set(s.id, s)
    }
    this.cpu = cpu
    for (const l of tick.logs) this.logs.push(l)
    trimTo(this.logs, KEPT_LOGS)
    for (const ev of tick.events) {
      if (ev.type === 'state') this.pushTransition(ev.unit, ev.t, ev.state)
      else {
        if (ev.type === 'run') this.runs.set(ev.run.id, ev.run)
        this.events.push(ev)
      }
    }
    trimTo(this.events, KEPT_EVENTS)
    const { units: _u, samples: _s, logs: _l, events: _e, ...rest } = tick
    this.tickRest = rest
    this.pruneUnits()
  }

  addStarted(item: StartedItem): void {
    this.started.push(item)
  }

  addSummary(summary: RunSummary): void {
    this.summaries.set(summary.run.id, summary)
    this.runs.set(summary.run.id, summary.run)
  }

  addResult(result: RecordedResult): void {
    this.results.push(result)
  }

  private pruneUnits(): void {
    if (this.units.size <= KEPT_UNITS) return
    for (const u of this.units.values()) {
      if (this.units.size <= KEPT_UNITS * 0.9) break
      if (!isFinal(u.state)) continue
      this.units.delete(u.id)
      this.transitions.delete(u.id)
    }
  }
}
