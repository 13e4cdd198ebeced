// Turns raw collector readings into Samples: CPU% from deltas (null on a unit's first reading), memory, own cost.
import type { Sample } from '../../../shared/model'
import type { Collector, SampleTarget } from './collector'
import { CpuMeter } from './cpu-meter'

export interface SampleResult {
  samples: Sample[]
  /** Wall time this collection took, ms. */
  costMs: number
}

export class Sampler {
  private readonly meter = new CpuMeter()

  constructor(readonly collector: Collector) {}

  /** `heaps` are self-reported V8 heap sizes of thread units, by unit id. */
  async sample(targets: readonly SampleTarget[], heaps: ReadonlyMap<string, number>): Promise<SampleResult> {
    const t0 = performance.now()
    const raw = await this.collector.collect(targets)
    const at = performance.now() / 1000
    const samples: Sample[] = []
    for (const target of targets) {
      const r = raw.get(target.id)
      samples.push({
        id: target.id,
        cpu: r ? this.meter.update(target.id, r.cpuSeconds, at) : null,
        cpuSeconds: r ? r.cpuSeconds : null,
        rss: r ? r.rss : null,
        heap: heaps.get(target.id) ?? null,
        ...(r?.state ? { os: r.state } : {}),
      })
    }
    this.meter.retain(new Set(targets.map((t) => t.id)))
    return { samples, costMs: performance.now() - t0 }
  }

  close(): void {
    this.collector.close()
  }
}
