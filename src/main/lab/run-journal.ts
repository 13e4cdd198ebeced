// What a run left behind for a window that connects later (a reload): its units, log, events and state changes, bounded.
import type {
  LabEvent,
  LogLine,
  MarkEvent,
  RunHistory,
  SamplePoint,
  StateEvent,
  TaskEvent,
  Tick,
  Unit,
} from '../../shared/model'

/** Bounds per run: as many lines and events as the window itself keeps. */
export const JOURNAL_LOGS = 2000
export const JOURNAL_EVENTS = 5000
export const JOURNAL_STATES = 8000
/** Samples (CPU %, OS letter) per run: 20 units for 5 min at the default 500 ms. */
export const JOURNAL_SAMPLES = 12_000

function pushBounded<T>(list: T[], item: T, cap: number): void {
  list.push(item)
  if (list.length > cap) list.splice(0, list.length - Math.floor(cap * 0.75))
}

export class RunJournal {
  private readonly units = new Map<string, Unit>()
  private readonly logs: LogLine[] = []
  private logCount = 0
  private readonly marks: MarkEvent[] = []
  private readonly tasks: TaskEvent[] = []
  private readonly states: StateEvent[] = []
  private readonly samples: SamplePoint[] = []

  constructor(readonly runId: string) {}

  /** Takes this run's part of a tick. */
  record(tick: Tick): void {
    for (const u of tick.units) if (u.runId === this.runId) this.units.set(u.id, u)
    for (const l of tick.logs) {
      if (l.runId !== this.runId) continue
      pushBounded(this.logs, l, JOURNAL_LOGS)
      this.logCount++
    }
    for (const e of tick.events) this.event(e)
    for (const x of tick.samples)
      if (this.units.has(x.id))
        pushBounded(this.samples, { t: tick.t, unit: x.id, cpu: x.cpu, os: x.os ?? null }, JOURNAL_SAMPLES)
  }

  private event(e: LabEvent): void {
    if (e.type === 'state') {
      if (this.units.has(e.unit)) pushBounded(this.states, e, JOURNAL_STATES)
    } else if (e.type === 'mark' && e.runId === this.runId) pushBounded(this.marks, e, JOURNAL_EVENTS)
    else if (e.type === 'task' && e.runId === this.runId) pushBounded(this.tasks, e, JOURNAL_EVENTS)
  }

  history(): Omit<RunHistory, 'run'> {
    return {
      units: [...this.units.values()],
      logs: [...this.logs],
      logCount: this.logCount,
      marks: [...this.marks],
      tasks: [...this.tasks],
      states: [...this.states],
      samples: [...this.samples],
    }
  }
}
