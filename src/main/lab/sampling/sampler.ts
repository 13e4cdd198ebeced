// Turns raw collector readings into Samples: CPU% from deltas (null on a unit's first reading), memory, own cost.
import type { Sample, SelfCpuSource } from '../../../shared/model'
import type { Collector, SampleTarget } from './collector'
import { CpuMeter } from './cpu-meter'

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

export class Sampler {
  private readonly meter = new CpuMeter()
  /** Self-reported readings run on the units' clocks, so they get a meter of their own. */
  private readonly selfMeter = new CpuMeter()
  private readonly lastSelf = new Map<string, { at: number; cpu: number | null }>()

  constructor(readonly collector: Collector) {}

  /**
   * `self` holds what thread units report about themselves: their heap, and their CPU time, used only for a thread
   * the collector cannot see (pidusage has no per-thread counters) and then labelled with its source.
   */
  async sample(targets: readonly SampleTarget[], self: ReadonlyMap<string, SelfReport>): Promise<SampleResult> {
    const t0 = performance.now()
    const raw = await this.collector.collect(targets)
    const at = performance.now() / 1000
    const samples: Sample[] = []
    for (const target of targets) {
      const r = raw.get(target.id)
      const own = self.get(target.id)
      if (!r && target.tid !== null && own?.cpu) {
        samples.push({
          id: target.id,
          cpu: this.selfCpu(target.id, own.cpu.seconds, own.cpu.at),
          cpuSeconds: own.cpu.seconds,
          rss: null,
          heap: own.heap,
          cpuSource: own.cpu.source,
        })
        continue
      }
      samples.push({
        id: target.id,
        cpu: r ? this.meter.update(target.id, r.cpuSeconds, r.at ?? at) : null,
        cpuSeconds: r ? r.cpuSeconds : null,
        rss: r ? r.rss : null,
        heap: own?.heap ?? null,
        ...(r?.state ? { os: r.state } : {}),
        ...(r && r.time !== undefined ? { time: r.time } : {}),
        ...(r && r.peakRss !== undefined ? { peakRss: r.peakRss } : {}),
      })
    }
    const live = new Set(targets.map((t) => t.id))
    this.meter.retain(live)
    this.selfMeter.retain(live)
    for (const id of this.lastSelf.keys()) if (!live.has(id)) this.lastSelf.delete(id)
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
