// Per-core busy % and memory of the whole machine, from os.cpus() deltas.
import os from 'node:os'
import type { MachineSample } from '../../../shared/model'

export class MachineMeter {
  private prev: os.CpuInfo[] | null = null

  sample(): MachineSample {
    const now = os.cpus()
    const cores = this.prev
      ? now.map((c, i) => {
          const p = this.prev![i]
          if (!p) return 0
          const busy =
            c.times.user +
            c.times.nice +
            c.times.sys +
            c.times.irq -
            (p.times.user + p.times.nice + p.times.sys + p.times.irq)
          const total = busy + c.times.idle - p.times.idle
          return total > 0 ? Math.min(100, (busy / total) * 100) : 0
        })
      : []
    this.prev = now
    return { cores, memTotal: os.totalmem(), memUsed: os.totalmem() - os.freemem() }
  }
}
