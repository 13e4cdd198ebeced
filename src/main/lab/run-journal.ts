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
  /**
   * The last JOURNAL_SAMPLES sample points as a ring of columns: a tick of a program with a thousand threads adds a
   * thousand points, and columns of primitives allocate nothing per point (objects are made only for `history()`).
   * They grow as points come, up to the bound: a short run keeps a short journal.
   */
  private readonly sampleT: number[] = []
  private readonly sampleUnit: string[] = []
  private readonly sampleCpu: number[] = []
  private readonly sampleOs: (string | null)[] = []
  private sampleCount = 0
  private sampleNext = 0

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
    for (let k = 0; k < tick.samples.length; k++) {
      const x = tick.samples[k]
      if (!this.units.has(x.id)) continue
      const i = this.sampleNext
      if (i === this.sampleT.length) {
        this.sampleT.push(0)
        this.sampleUnit.push('')
        this.sampleCpu.push(0)
        this.sampleOs.push(null)
      }
      this.sampleT[i] = tick.t
      this.sampleUnit[i] = x.id
      // NaN stands for a CPU % not known yet (null).
      this.sampleCpu[i] = x.cpu ?? Number.NaN
      this.sampleOs[i] = x.os ?? null
      this.sampleNext = (i + 1) % JOURNAL_SAMPLES
      if (this.sampleCount < JOURNAL_SAMPLES) this.sampleCount++
    }
  }

  private samplePoints(): SamplePoint[] {
    const out: SamplePoint[] = []
    const first = (this.sampleNext - this.sampleCount + JOURNAL_SAMPLES) % JOURNAL_SAMPLES
    for (let k = 0; k < this.sampleCount; k++) {
      const i = (first + k) % JOURNAL_SAMPLES
      const cpu = this.sampleCpu[i]
      out.push({
        t: this.sampleT[i],
        unit: this.sampleUnit[i],
        cpu: Number.isNaN(cpu) ? null : cpu,
        os: this.sampleOs[i],
      })
    }
    return out
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
      samples: this.samplePoints(),
    }
  }
}
