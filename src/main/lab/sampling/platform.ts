// One platform object per OS, as htop has: its collector, its tree scanner, thread ids and page size, chosen once.
import type { Collector } from './collector'
import type { CoreTimesReader } from './machine'
import type { TreeScanner } from './tree'

/** A process of the machine, for picking one to watch. */
export interface MachineProcess {
  pid: number
  ppid: number
  name: string
  cmdline: string
  /** Clock ticks since boot (Linux) or ms since the epoch (elsewhere): tells a reused PID from the original. */
  startTime: number
}

export interface Platform {
  /** 'procfs' (Linux) or 'pidusage' (pidusage + pidtree elsewhere). */
  readonly name: 'procfs' | 'pidusage'
  /** Whether threads of other processes can be seen and sampled. */
  readonly threadsVisible: boolean
  /** Bytes per memory page. */
  readonly pageSize: number
  createCollector(): Collector
  /** One scanner per followed tree: each keeps its own cache of the PIDs it has seen. */
  createTreeScanner(): TreeScanner
  /** The calling thread's OS id, or null where the platform has none to give. */
  threadId(): number | null
  /** Every core's busy and idle time, the cheapest way the platform has. */
  readonly coreTimes: CoreTimesReader
  /** Every process of the machine the lab may see, by PID. */
  listProcesses(): Promise<MachineProcess[]>
}
