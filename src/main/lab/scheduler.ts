// The one cadence of the lab: each tick samples every live unit and emits ONE batched Tick.
import type { BlockReason, Sample, Tick, TimeSplit, TransientCount, Unit } from '../../shared/model'
import { BLOCK_REASONS } from '../../shared/model'
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
  /** Sum of the ticks' time splits, and how many there were. */
  timeSum: TimeSplit | null
  timeCount: number
  transient: TransientCount | null
}

/** Looks between ticks at what busy threads are blocked in, this many times per interval (when it is long enough). */
const PROBES_PER_TICK = 2
const PROBE_MIN_MS = 30

/** The mean of the ticks' splits a unit's stats hold, or null. */
export function meanTime(st: UnitStats | undefined): TimeSplit | null {
  if (!st?.timeSum || st.timeCount === 0) return null
  const n = st.timeCount
  const blockedOn = {} as Record<BlockReason, number>
  for (const r of BLOCK_REASONS) blockedOn[r] = st.timeSum.blockedOn[r] / n
  return { onCpu: st.timeSum.onCpu / n, runqueue: st.timeSum.runqueue / n, blocked: st.timeSum.blocked / n, blockedOn }
}

/** Ended units remembered for summaries and late-joining views; older ones are forgotten (the snapshot stays small). */
export const ENDED_UNITS_KEPT = 100

export function targetOf(u: Unit): SampleTarget | null {
  if (u.kind === 'thread') return u.tid === null ? null : { id: u.id, pid: u.pid, tid: u.tid }
  return u.pid > 0 ? { id: u.id, pid: u.pid, tid: null } : null
}

export class Scheduler {
  private timer: NodeJS.Timeout | null = null
  private probes: NodeJS.Timeout[] = []
  private lastCpu: NodeJS.CpuUsage | null = null
  private seq = 0
  private running = false
  private inFlight: Promise<Tick> | null = null
  private targetList: SampleTarget[] | null = null
  private targetVersion = -1
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
    this.clearProbes()
  }

  private clearProbes(): void {
    for (const p of this.probes) clearTimeout(p)
    this.probes = []
  }

  setTickInterval(ms: number): void {
    this.intervalMs = ms
    // Only a waiting timer is re-armed: a tick in flight re-arms its loop itself, with the new interval.
    if (this.running && this.timer) {
      clearTimeout(this.timer)
      this.schedule(ms)
    }
  }

  /** One loop: `timer` is set while it waits and null while its tick runs, so nothing else arms a second one. */
  private schedule(delay: number): void {
    this.clearProbes()
    // Each wake of an idle process costs CPU of its own (about 0.1-0.2 ms on a virtual machine): no look is scheduled
    // while no thread ran in the last interval (a program of idle threads).
    if (delay >= PROBE_MIN_MS * (PROBES_PER_TICK + 1) && this.deps.sampler.collector.probing) {
      for (let i = 1; i <= PROBES_PER_TICK; i++) {
        const probe = setTimeout(() => this.deps.sampler.collector.probe(), (delay * i) / (PROBES_PER_TICK + 1))
        probe.unref()
        this.probes.push(probe)
      }
    }
    this.timer = setTimeout(() => {
      this.timer = null
      const started = performance.now()
      void this.tick().finally(() => {
        if (this.running && this.timer === null)
          this.schedule(Math.max(0, this.intervalMs - (performance.now() - started)))
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
    // The same list while no unit was added, changed or ended (a tick of an idle program of a thousand threads).
    if (this.targetList === null || this.targetVersion !== units.version) {
      this.targetList = units.live().flatMap((u) => targetOf(u) ?? [])
      this.targetVersion = units.version
    }
    const sampled = await sampler.sample(this.targetList, selfReports)
    const { samples } = sampled
    const costMs = sampled.costMs + discoverMs
    this.record(samples)
    for (const id of units.prune(ENDED_UNITS_KEPT)) this.stats.delete(id)
    const { logs, events, transient } = outbox.drain(flush ? Infinity : clock.now())
    for (const p of transient.parents) {
      const st = this.statsOf(p.unit)
      st.transient = {
        processes: (st.transient?.processes ?? 0) + p.processes,
        cpuMs: (st.transient?.cpuMs ?? 0) + p.cpuMs,
      }
    }
    // The whole lab's CPU since the last tick: sampling, messaging and everything else its threads did.
    const cpu = process.cpuUsage()
    const labCpuMs = this.lastCpu ? (cpu.user - this.lastCpu.user + cpu.system - this.lastCpu.system) / 1000 : null
    this.lastCpu = cpu
    const tick: Tick = {
      seq: this.seq++,
      t: clock.now(),
      units: units.drainChanged(),
      samples,
      logs,
      events,
      machine: machine.sample(),
      sampler: { intervalMs: this.intervalMs, costMs, labCpuMs, collector: sampler.collector.name },
      transient,
    }
    this.deps.emit(tick)
    return tick
  }

  /** Drops a forgotten unit's figures. */
  forget(unitId: string): void {
    this.stats.delete(unitId)
  }

  private record(samples: readonly Sample[]): void {
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]
      const st = this.statsOf(s.id)
      if (s.cpu !== null) {
        st.peakCpu = Math.max(st.peakCpu ?? 0, s.cpu)
        st.cpuSum += s.cpu
        st.cpuCount++
      }
      if (s.rss !== null) st.peakRss = Math.max(st.peakRss ?? 0, s.rss)
      if (s.peakRss != null) st.peakRss = Math.max(st.peakRss ?? 0, s.peakRss)
      if (s.time) {
        const sum = (st.timeSum ??= {
          onCpu: 0,
          runqueue: 0,
          blocked: 0,
          blockedOn: { lock: 0, io: 0, sleep: 0, other: 0 },
        })
        const t = s.time
        sum.onCpu += t.onCpu
        sum.runqueue += t.runqueue
        sum.blocked += t.blocked
        sum.blockedOn.lock += t.blockedOn.lock
        sum.blockedOn.io += t.blockedOn.io
        sum.blockedOn.sleep += t.blockedOn.sleep
        sum.blockedOn.other += t.blockedOn.other
        st.timeCount++
      }
    }
  }

  private statsOf(id: string): UnitStats {
    let st = this.stats.get(id)
    if (!st)
      this.stats.set(
        id,
        (st = { peakCpu: null, cpuSum: 0, cpuCount: 0, peakRss: null, timeSum: null, timeCount: 0, transient: null }),
      )
    return st
  }
}
