// What a tree scanner finds: the processes that descend from a root and, where the platform shows them, their threads.

/** One process of a followed tree. `startTime` (clock ticks since boot) tells a reused PID from the original. */
export interface TreeProcess {
  pid: number
  ppid: number
  /** Process group (-1 where unknown): the lab signals the group it created only while a member is verified in it. */
  pgrp: number
  startTime: number
  /** Argument vector joined by spaces (empty for kernel threads or when unreadable). */
  cmdline: string
  /** Process name (comm: its main thread's name, which a program may set); empty where unknown. */
  name: string
  /** CPU ms it used so far, and that its waited-for children left in it (cutime + cstime); null where unknown. */
  cpuMs: number | null
  childCpuMs: number | null
}

/** A process that started and ended between two scans (seen by fast polling), with its parent then. */
export interface ShortLivedProcess {
  pid: number
  ppid: number
  name: string
  cpuMs: number
}

export interface TreeThread {
  pid: number
  tid: number
  /** Thread name, /proc/PID/task/TID/comm. */
  name: string
}

export interface TreeScan {
  /**
   * Root first, then descendants in discovery order. A scanner may hand on the very entry of an earlier scan for a
   * process that has not changed (never an entry it changed since): readers can skip an entry they have seen.
   */
  processes: TreeProcess[]
  threads: TreeThread[]
  /** Processes that came and went since the last scan, where the platform can see them (procfs). */
  shortLived: ShortLivedProcess[]
}

/** Discovers a tree's processes (and threads where the platform shows them). One scanner per followed tree. */
export interface TreeScanner {
  readonly name: string
  /** Whether `threads` is filled; false means threads cannot be seen on this platform. */
  readonly threadsVisible: boolean
  /** `members` are the processes found before (pid -> startTime): they stay in the tree after their parent dies. */
  scan(root: number, members: ReadonlyMap<number, number>): Promise<TreeScan>
  /**
   * The same scan done at once, where the platform can do it cheaply (procfs), else null: a thread that reports before
   * the next tick is then found without waiting for it.
   */
  scanNow(root: number, members: ReadonlyMap<number, number>): TreeScan | null
  /**
   * Whether pid is still the very process recorded with startTime (guards every signal against PID reuse): its current
   * process group (-1 where unknown) if so, else null.
   */
  verify(pid: number, startTime: number): Promise<{ pgrp: number } | null>
  /** Reads a thread's name afresh; null where threads are not visible or it has ended. */
  readThreadName(pid: number, tid: number): string | null
  close(): void
}
