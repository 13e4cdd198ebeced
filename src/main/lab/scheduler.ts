// The one cadence of the lab: each tick samples every live unit and emits ONE batched Tick.
import type { Sample, Tick, Unit } from '../../shared/model'
import type { SampleTarget } from './sampling/collector'
import type { MachineMeter } from './sampling/machine'
import type { Sampler, SelfReport } from './sampling/sampler'
import type { LabClock } from './clock'
import type { Outbox, UnitTable } from './unit-table'

export interface SchedulerDeps {
  clock: LabClock
  units: UnitTable
  outbox: Outbox
  sampler: Sampler
  machine: MachineMeter
  selfReports: ReadonlyMap<string, SelfReport>
  /** Finds units the lab did not spawn itself (a program's children and threads), once per tick. */
  discovery?: UnitDiscovery
  emit(tick: Tick): void
}

/** Adds and ends units before each sampling. */
export interface UnitDiscovery {
  discover(): Promise<void>
}

/** Per-unit figures kept across ticks for run summaries. */
export interface UnitStats {
  peakCpu: number | null
  cpuSum: number
  cpuCount: number
  peakRss: number | null
}

/** Ended units remembered for summaries and late-joining views; older ones are forgotten. */
export const ENDED_UNITS_KEPT = 2000

export function targetOf(u: Unit): SampleTarget | null {
  if (u.kind === 'thread') return u.tid === null ? null : { id: u.id, pid: u.pid, tid: u.tid }
  return u.pid > 0 ? { id: u.id, pid: u.pid, tid: null } : null
}

export class Scheduler {
  private timer: NodeJS.Timeout | null = null
  private seq = 0
  private running = false
  private inFlight: Promise<Tick> | null = null
  readonly stats = new Map<string, UnitStats>()

  constructor(
    private readonly deps: SchedulerDeps,
    private intervalMs: number,
  ) {}

  get interval(): number {
    return this.intervalMs
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.schedule(0)
  }

  stop(): void {
    this.running = false
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  setInterval(ms: number): void {
    this.intervalMs = ms
    if (this.running) {
      if (this.timer) clearTimeout(this.timer)
      this.schedule(ms)
    }
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      const started = performance.now()
      void this.tick().finally(() => {
        if (this.running) this.schedule(Math.max(0, this.intervalMs - (performance.now() - started)))
      })
    }, delay)
    this.timer.unref()
  }

  /**
   * Samples and emits now. Concurrent callers share one tick. `flush` sends every log line gathered, even one a
   * regular tick would hold back while an earlier-printed line of its run may still be on its way (see Outbox.drain).
   */
  async tick(opts: { flush?: boolean } = {}): Promise<Tick> {
    if (opts.flush && this.inFlight) await this.inFlight
    this.inFlight ??= this.collect(opts.flush === true).finally(() => (this.inFlight = null))
    return this.inFlight
  }

  private async collect(flush: boolean): Promise<Tick> {
    const { units, outbox, sampler, machine, selfReports, clock, discovery } = this.deps
    // The monitor's own cost covers finding new processes and threads as well as reading them.
    const t0 = performance.now()
    await discovery?.discover()
    const discoverMs = performance.now() - t0
    const targets = units.live().flatMap((u) => targetOf(u) ?? [])
    const sampled = await sampler.sample(targets, selfReports)
    const { samples } = sampled
    const costMs = sampled.costMs + discoverMs
    this.record(samples)
    for (const id of units.prune(ENDED_UNITS_KEPT)) this.stats.delete(id)
    const { logs, events } = outbox.drain(flush ? Infinity : clock.now())
    const tick: Tick = {
      seq: this.seq++,
      t: clock.now(),
      units: units.drainChanged(),
      samples,
      logs,
      events,
      machine: machine.sample(),
      sampler: { intervalMs: this.intervalMs, costMs, collector: sampler.collector.name },
    }
    this.deps.emit(tick)
    return tick
  }

  private record(samples: readonly Sample[]): void {
    for (const s of samples) {
      let st = this.stats.get(s.id)
      if (!st) this.stats.set(s.id, (st = { peakCpu: null, cpuSum: 0, cpuCount: 0, peakRss: null }))
      if (s.cpu !== null) {
        st.peakCpu = Math.max(st.peakCpu ?? 0, s.cpu)
        st.cpuSum += s.cpu
        st.cpuCount++
      }
      if (s.rss !== null) st.peakRss = Math.max(st.peakRss ?? 0, s.rss)
    }
  }
}
