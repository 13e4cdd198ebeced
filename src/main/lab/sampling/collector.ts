// The collector interface: fill plain numbers for a set of processes and threads; no maths, no drawing.

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
  /** OS scheduler state letter (R running, S sleeping, D disk wait ...), where the collector sees it. */
  state?: string
}

export interface Collector {
  readonly name: string
  /** Targets that no longer exist are simply absent from the result. */
  collect(targets: readonly SampleTarget[]): Promise<Map<string, RawSample>>
  close(): void
}
