// Turns raw collector readings into Samples: CPU% from deltas (null on a unit's first reading), memory, own cost.
import { mapTimeSplit, type Sample, type SelfCpuSource } from '../../../shared/model'
import type { Collector, RawSample, SampleTarget } from './collector'
import { cpuPercent, CpuMeter } from './cpu-meter'

export interface SampleResult {
  samples: Sample[]
  /** Wall time this collection took, ms. */
  costMs: number
}

/** What a thread unit reports about itself a few times a second. `at` is in seconds on the unit's own clock. */
export interface SelfReport {
  heap: number
  cpu: { seconds: number; at: number; source: SelfCpuSource } | null
}

/** A figure to a hundredth, finer than any view shows: what a recording keeps, so a replay shows the very same. */
function hundredth(v: number): number {
  return Number.isInteger(v) || !Number.isFinite(v) ? v : Math.round(v * 100) / 100
}

/** What the sampler keeps per unit between ticks. */
interface Last {
  cpuSeconds: number
  at: number
  /** The reading, CPU % (unrounded) and heap the sample was made from, and the sample. */
  raw: RawSample
  cpu: number | null
  heap: number | null
  sample: Sample
  seen: number
}

export class Sampler {
  private readonly last = new Map<string, Last>()
  /** Self-reported readings run on the units' clocks, so they get a meter of their own. */
  private readonly selfMeter = new CpuMeter()
  private readonly lastSelf = new Map<string, { at: number; cpu: number | null }>()
  private round = 0

  constructor(readonly collector: Collector) {}

  /**
   * `self` holds what thread units report about themselves: their heap, and their CPU time, used only for a thread
   * the collector cannot see (pidusage has no per-thread counters) and then labelled with its source.
   *
   * Figures are kept to a hundredth. A unit whose reading is the very object of its last one (the collector hands out
   * the same reading while nothing in it moved), with the same CPU % and heap, gets the same Sample object as last
   * tick: an idle pool of hundreds of threads allocates nothing per tick. Samples are never changed once handed out.
   */
  async sample(targets: readonly SampleTarget[], self: ReadonlyMap<string, SelfReport>): Promise<SampleResult> {
    const t0 = performance.now()
    const raw = await this.collector.collect(targets)
    const at = performance.now() / 1000
    const round = ++this.round
    const samples: Sample[] = new Array(targets.length)
    let count = 0
    for (let i = 0; i < targets.length; i++) {
      const target = targets[i]
      const id = target.id
      const r = raw.get(id)
      const own = self.get(id)
      if (!r && target.tid !== null && own?.cpu) {
        const cpu = this.selfCpu(id, own.cpu.seconds, own.cpu.at)
        samples[count++] = {
          id,
          cpu: cpu === null ? null : hundredth(cpu),
          cpuSeconds: hundredth(own.cpu.seconds),
          rss: null,
          heap: own.heap,
          cpuSource: own.cpu.source,
        }
        continue
      }
      if (!r) {
        // Missed this once (a reading that failed): the last reading stays for the next CPU delta.
        const l = this.last.get(id)
        if (l) l.seen = round
        samples[count++] = { id, cpu: null, cpuSeconds: null, rss: null, heap: own?.heap ?? null }
        continue
      }
      const heap = own?.heap ?? null
      const readAt = r.at ?? at
      let last = this.last.get(id)
      const cpu = last ? cpuPercent(last.cpuSeconds, last.at, r.cpuSeconds, readAt) : null
      if (last && last.raw === r && last.cpu === cpu && last.heap === heap) {
        last.cpuSeconds = r.cpuSeconds
        last.at = readAt
        last.seen = round
        samples[count++] = last.sample
        continue
      }
      const sample: Sample = {
        id,
        cpu: cpu === null ? null : hundredth(cpu),
        cpuSeconds: hundredth(r.cpuSeconds),
        rss: r.rss === null ? null : hundredth(r.rss),
        heap,
      }
      if (r.state) sample.os = r.state
      if (r.time !== undefined) sample.time = r.time === null ? null : mapTimeSplit(r.time, hundredth)
      if (r.peakRss !== undefined) sample.peakRss = r.peakRss === null ? null : hundredth(r.peakRss)
      if (last) {
        last.cpuSeconds = r.cpuSeconds
        last.at = readAt
        last.raw = r
        last.cpu = cpu
        last.heap = heap
        last.sample = sample
        last.seen = round
      } else {
        last = { cpuSeconds: r.cpuSeconds, at: readAt, raw: r, cpu, heap, sample, seen: round }
        this.last.set(id, last)
      }
      samples[count++] = sample
    }
    samples.length = count
    // Values, not entries: an entry pair would be allocated per unit per tick.
    this.last.forEach((l) => {
      if (l.seen !== round) this.last.delete(l.sample.id)
    })
    // Self-reports come only where the collector cannot see threads: nothing to drop elsewhere.
    if (this.lastSelf.size > 0) {
      const live = new Set(targets.map((t) => t.id))
      this.selfMeter.retain(live)
      for (const id of this.lastSelf.keys()) if (!live.has(id)) this.lastSelf.delete(id)
    }
    return { samples, costMs: performance.now() - t0 }
  }

  /** A unit reports every 250 ms whatever the tick: between two reports, its last figure stands. */
  private selfCpu(id: string, seconds: number, at: number): number | null {
    const last = this.lastSelf.get(id)
    if (last && last.at === at) return last.cpu
    const cpu = this.selfMeter.update(id, seconds, at)
    this.lastSelf.set(id, { at, cpu })
    return cpu
  }

  close(): void {
    this.collector.close()
  }
}
