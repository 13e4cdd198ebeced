// Per-core busy % and memory of the whole machine, from deltas of each core's busy and idle time.
import os from 'node:os'
import type { MachineSample } from '../../../shared/model'

/** A core's busy (user, nice, system, irq) and idle time since boot, in any one unit. */
export interface CoreTimes {
  busy: number
  idle: number
}

/** Every core's times, or null where they cannot be read. */
export type CoreTimesReader = () => CoreTimes[] | null

/** Through os.cpus(): everywhere, but it also reads every core's model and speed (on Linux, /proc/cpuinfo and sysfs). */
export const osCoreTimes: CoreTimesReader = () =>
  os.cpus().map(({ times: t }) => ({ busy: t.user + t.nice + t.sys + t.irq, idle: t.idle }))

export class MachineMeter {
  private prev: CoreTimes[] | null = null

  constructor(private readonly readCores: CoreTimesReader = osCoreTimes) {}

  sample(): MachineSample {
    const now = this.readCores() ?? osCoreTimes()!
    const prev = this.prev
    const cores = prev
      ? now.map((c, i) => {
          const p = prev[i]
          if (!p) return 0
          const busy = c.busy - p.busy
          const total = busy + c.idle - p.idle
          return total > 0 ? Math.min(100, (busy / total) * 100) : 0
        })
      : []
    this.prev = now
    const total = os.totalmem()
    return { cores, memTotal: total, memUsed: total - os.freemem() }
  }
}
