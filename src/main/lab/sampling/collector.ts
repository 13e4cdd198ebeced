// The collector interface: fill plain numbers for a set of processes and threads; no maths, no drawing.
import type { TimeSplit } from '../../../shared/model'

export interface SampleTarget {
  id: string
  pid: number
  /** OS thread id for a thread target; null for a whole process. */
  tid: number | null
}

export interface RawSample {
  /** Cumulative CPU seconds (user + system). */
  cpuSeconds: number
  /** Resident bytes for a process; null for a thread. */
  rss: number | null
  /** A process's peak resident bytes over its life (VmHWM), where the collector sees it. */
  peakRss?: number | null
  /** OS scheduler state letter (R runnable, S sleeping, D uninterruptible ...), where the collector sees it. */
  state?: string
  /** Where the time went since the collector's last reading (null on the first), where it can tell. */
  time?: TimeSplit | null
  /**
   * When this unit was read (performance.now() in seconds), where the collector stamps each reading: a CPU delta is
   * then divided by the time between this unit's own two readings, not by the whole collection's (which varies with
   * how many units came before it and with load, and would make a busy thread read above 100 %).
   */
  at?: number
}

export interface Collector {
  readonly name: string
  /** Whether samples carry a time split (on a CPU / waiting for one / blocked). */
  readonly timeSplit: boolean
  /** Targets that no longer exist are simply absent from the result. */
  collect(targets: readonly SampleTarget[]): Promise<Map<string, RawSample>>
  /** Between ticks: a cheap look at what busy threads are blocked in (Linux); nothing elsewhere. */
  probe(): void
  /** Whether probe() has anything to look at: threads ran in the last interval. Without, no look is scheduled. */
  readonly probing: boolean
  close(): void
}
