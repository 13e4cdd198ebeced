// Reading /proc: the one stat parser, schedstat and status fields, files kept open for pread, cores' times, this thread's id.
import { closeSync, openSync, readlinkSync, readSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import type { CoreTimes } from '../machine'

/** The kernel reports CPU times in USER_HZ ticks, fixed at 100 for /proc on mainstream Linux. */
export const USER_HZ = 100

/** The fields of a /proc/PID/stat (or /proc/PID/task/TID/stat) line the lab uses. */
export interface Stat {
  /** comm: the process's (or thread's) name. */
  name: string
  /** State letter: R runnable, S sleeping, D uninterruptible, T stopped, Z zombie ... */
  state: string
  ppid: number
  pgrp: number
  /** CPU time in USER_HZ ticks. */
  utime: number
  stime: number
  /** CPU time of waited-for children, in ticks: what short-lived children leave behind in their parent. */
  cutime: number
  cstime: number
  numThreads: number
  /** Clock ticks since boot: tells a reused PID from the original. */
  startTime: number
  /** Resident pages (lags VmRSS a little: prefer status). */
  rss: number
  /** Page faults (minor + major): while they stand still, no page was touched, so resident memory has not grown. */
  faults: number
}

/** Fields by number (1-based as in proc(5)), counted from field 3 (state), which follows the last ')'. */
const F_PPID = 4
const F_PGRP = 5
const F_MINFLT = 10
const F_MAJFLT = 12
const F_UTIME = 14
const F_STIME = 15
const F_CUTIME = 16
const F_CSTIME = 17
const F_THREADS = 20
const F_START = 22
const F_RSS = 24

/** The numeric fields of the line being parsed, by number (one array for every parse). */
const FIELDS = new Float64Array(F_RSS + 1)

/**
 * Parses a stat line straight from its bytes, without building strings: the collector reads hundreds per tick. The
 * comm field may hold spaces and ')' itself, so fields are counted after the last ')'.
 */
export function parseStat(buf: Buffer, n: number): Stat | null {
  const close = buf.lastIndexOf(0x29, n - 1)
  const open = buf.indexOf(0x28)
  if (close < 0 || open < 0 || close + 2 >= n) return null
  const v = FIELDS
  let field = 3
  let value = 0
  let negative = false
  for (let i = close + 4; i <= n; i++) {
    const c = i < n ? buf[i] : 0x20
    if (c === 0x20 || c === 0x0a) {
      field++
      v[field] = negative ? -value : value
      if (field === F_RSS) break
      value = 0
      negative = false
    } else if (c >= 0x30 && c <= 0x39) value = value * 10 + (c - 0x30)
    else if (c === 0x2d) negative = true
  }
  if (field < F_RSS) return null
  return {
    name: buf.toString('latin1', open + 1, close),
    state: String.fromCharCode(buf[close + 2]),
    ppid: v[F_PPID],
    pgrp: v[F_PGRP],
    utime: v[F_UTIME],
    stime: v[F_STIME],
    cutime: v[F_CUTIME],
    cstime: v[F_CSTIME],
    numThreads: v[F_THREADS],
    startTime: v[F_START],
    rss: v[F_RSS],
    faults: v[F_MINFLT] + v[F_MAJFLT],
  }
}

export function parseStatText(text: string): Stat | null {
  const buf = Buffer.from(text, 'latin1')
  return parseStat(buf, buf.length)
}

/** A schedstat line: ns on a CPU, ns waiting on a run queue, time slices run. Zeros where the kernel keeps none. */
export interface Schedstat {
  runNs: number
  waitNs: number
}

/** Parses into `into` (a caller's object, so the per-thread reads of a tick allocate nothing) and returns it. */
export function parseSchedstat(buf: Buffer, n: number, into: Schedstat = { runNs: 0, waitNs: 0 }): Schedstat {
  let runNs = 0
  let i = 0
  for (; i < n; i++) {
    const c = buf[i]
    if (c < 0x30 || c > 0x39) break
    runNs = runNs * 10 + (c - 0x30)
  }
  let waitNs = 0
  for (i++; i < n; i++) {
    const c = buf[i]
    if (c < 0x30 || c > 0x39) break
    waitNs = waitNs * 10 + (c - 0x30)
  }
  into.runNs = runNs
  into.waitNs = waitNs
  return into
}

/** Resident pages from /proc/PID/statm (its second field: VmRSS in pages), or -1 when it holds none. */
export function parseStatmResident(buf: Buffer, n: number): number {
  let i = 0
  while (i < n && buf[i] !== 0x20) i++
  let pages = 0
  let digits = 0
  for (i++; i < n; i++, digits++) {
    const c = buf[i]
    if (c < 0x30 || c > 0x39) break
    pages = pages * 10 + (c - 0x30)
  }
  return digits > 0 ? pages : -1
}

/** The number after a "Key:" of a status file (the first digits on its line); null when absent. */
export function statusNumber(buf: Buffer, n: number, key: Buffer): number | null {
  const at = buf.indexOf(key)
  if (at < 0 || at >= n) return null
  let v = 0
  let digits = false
  for (let i = at + key.length; i < n; i++) {
    const c = buf[i]
    if (c >= 0x30 && c <= 0x39) {
      v = v * 10 + (c - 0x30)
      digits = true
    } else if (digits || c === 0x0a) break
  }
  return digits ? v : null
}

/** The value of one "Key:   123 kB" line of a status file, in bytes; null when absent (a zombie has no memory lines). */
export function statusKb(buf: Buffer, n: number, key: Buffer): number | null {
  const kb = statusNumber(buf, n, key)
  return kb === null ? null : kb * 1024
}

export const VM_RSS = Buffer.from('VmRSS:')
export const VM_HWM = Buffer.from('VmHWM:')

/**
 * A /proc file opened once and re-read with one pread per use. Once a read fails (the task is gone), the descriptor is
 * closed and the file stays closed: its number may already belong to another file.
 */
export class ProcFile {
  private fd: number

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r')
  }

  get open(): boolean {
    return this.fd >= 0
  }

  /** Bytes read into buf, or -1 once the task is gone. */
  read(buf: Buffer, max = buf.length): number {
    if (this.fd < 0) return -1
    try {
      return readSync(this.fd, buf, 0, max, 0)
    } catch {
      this.close()
      return -1
    }
  }

  close(): void {
    if (this.fd < 0) return
    const fd = this.fd
    this.fd = -1
    closeSync(fd)
  }
}

/** Opens a ProcFile, or null when the path does not exist (a task that ended). */
export function openProcFile(path: string): ProcFile | null {
  try {
    return new ProcFile(path)
  } catch {
    return null
  }
}

/** Reads a small /proc file whole with a caller's buffer; null when it cannot be read. */
export function readProcText(path: string, buf: Buffer): string | null {
  const file = openProcFile(path)
  if (!file) return null
  const n = file.read(buf)
  file.close()
  return n < 0 ? null : buf.toString('latin1', 0, n)
}

/** Run counters (schedstat) of a process, as read at `at` (performance.now()). */
export interface RecentRun {
  startTime: number
  runNs: number
  waitNs: number
  at: number
}

/**
 * Processes' stat readings shared between the tree scanner and the collector: a tick's scan reads every followed
 * process's stat, and the collection a few milliseconds later takes that reading instead of making its own (a stat
 * read is the dearest per-process read of a tick). The same for the run counters the scan reads of a single-threaded
 * process: the collection reads them of its only thread otherwise. A reading is taken only while fresh and only for
 * the same process (its start time).
 */
export class RecentStats {
  private readonly last = new Map<number, { stat: Stat; at: number }>()
  /** A single-threaded process's run counters (its schedstat), read by the scan just before the collection. */
  private readonly runs = new Map<number, RecentRun>()

  constructor(private readonly freshMs = 20) {}

  put(pid: number, stat: Stat): void {
    const at = performance.now()
    const entry = this.last.get(pid)
    if (entry) {
      entry.stat = stat
      entry.at = at
    } else this.last.set(pid, { stat, at })
  }

  /** The reading of process `pid` started at `startTime`, if one was made in the last freshMs; null otherwise. */
  take(pid: number, startTime: number): Stat | null {
    const entry = this.last.get(pid)
    if (!entry) return null
    if (performance.now() - entry.at > this.freshMs || entry.stat.startTime !== startTime) return null
    return entry.stat
  }

  /** Leaves the run counters of process `pid` (single-threaded, started at `startTime`), read at `at` (performance.now()). */
  putRun(pid: number, startTime: number, runNs: number, waitNs: number, at: number): void {
    const entry = this.runs.get(pid)
    if (entry) {
      entry.startTime = startTime
      entry.runNs = runNs
      entry.waitNs = waitNs
      entry.at = at
    } else this.runs.set(pid, { startTime, runNs, waitNs, at })
  }

  /** The run counters of process `pid` started at `startTime`, if read in the last freshMs of `now`; null otherwise. */
  takeRun(pid: number, startTime: number, now: number): RecentRun | null {
    const entry = this.runs.get(pid)
    if (!entry || now - entry.at > this.freshMs || entry.startTime !== startTime) return null
    return entry
  }

  /** Drops readings older than a tick could use: called once per collection, so the maps stay as large as the tree. */
  prune(): void {
    const old = performance.now() - 10 * this.freshMs
    this.last.forEach((entry, pid) => {
      if (entry.at < old) this.last.delete(pid)
    })
    this.runs.forEach((entry, pid) => {
      if (entry.at < old) this.runs.delete(pid)
    })
  }
}

let loadavg: ProcFile | null | undefined

/**
 * The last PID the kernel gave out (the last field of /proc/loadavg), or null where unreadable. The file stays open and
 * is re-read with one pread: the short-lived watch asks many times a second.
 */
export function lastPidGiven(buf: Buffer): number | null {
  if (loadavg === undefined || (loadavg !== null && !loadavg.open)) loadavg = openProcFile('/proc/loadavg')
  if (!loadavg) return null
  const n = loadavg.read(buf)
  let end = n
  while (end > 0 && (buf[end - 1] === 0x0a || buf[end - 1] === 0x20)) end--
  let v = 0
  let digits = 0
  for (let i = end - 1; i >= 0; i--) {
    const c = buf[i]
    if (c < 0x30 || c > 0x39) break
    v += (c - 0x30) * 10 ** digits++
  }
  return digits > 0 ? v : null
}

let procStat: { file: ProcFile; buf: Buffer } | null | undefined

/**
 * Every core's busy (user, nice, system, irq) and idle time from the `cpuN` lines of /proc/stat, in clock ticks, as
 * os.cpus() gives them without its read of every core's model and speed: a fraction of its cost, every tick. The file
 * stays open; null where it cannot be read.
 */
export function procCoreTimes(): CoreTimes[] | null {
  if (procStat === undefined || (procStat !== null && !procStat.file.open)) {
    const file = openProcFile('/proc/stat')
    // The core lines come first: about 100 bytes each.
    procStat = file ? { file, buf: Buffer.alloc(1024 + 256 * availableParallelism()) } : null
  }
  if (!procStat) return null
  const { file, buf } = procStat
  const n = file.read(buf)
  if (n <= 0) return null
  const cores: CoreTimes[] = []
  const f = [0, 0, 0, 0, 0, 0]
  let i = 0
  while (i < n) {
    // A line `cpuN user nice system idle iowait irq ...`; the first line (`cpu ` without a number) is the total.
    if (buf[i] !== 0x63 || buf[i + 1] !== 0x70 || buf[i + 2] !== 0x75) break
    const numbered = buf[i + 3] >= 0x30 && buf[i + 3] <= 0x39
    while (i < n && buf[i] !== 0x20) i++
    for (let k = 0; k < f.length; k++) {
      while (i < n && buf[i] === 0x20) i++
      let v = 0
      while (i < n && buf[i] >= 0x30 && buf[i] <= 0x39) v = v * 10 + buf[i++] - 0x30
      f[k] = v
    }
    while (i < n && buf[i] !== 0x0a) i++
    // A line cut off by the end of the buffer is not taken.
    if (i++ >= n) break
    if (numbered) cores.push({ busy: f[0] + f[1] + f[2] + f[5], idle: f[3] })
  }
  return cores.length > 0 ? cores : null
}

/** The calling thread's OS id: /proc/thread-self links to PID/task/TID. `worker.threadId` is not this. */
export function threadId(): number | null {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    return Number.isInteger(tid) ? tid : null
  } catch {
    return null
  }
}

/**
 * Bytes per page, without a child process (`getconf` would be a short-lived child of the lab): VmRSS in kB against
 * statm's resident page count of this very process, read back to back. Falls back to 4096.
 */
export function pageSize(): number {
  const buf = Buffer.alloc(4096)
  for (let attempt = 0; attempt < 3; attempt++) {
    const statm = readProcText('/proc/self/statm', buf)
    const status = readProcText('/proc/self/status', buf)
    const pages = statm === null ? NaN : Number(statm.split(' ')[1])
    const kb = status === null ? NaN : Number(/VmRSS:\s+(\d+)/.exec(status)?.[1])
    if (pages > 0 && kb > 0) {
      // Pages are powers of two: round the ratio to the nearest one.
      const size = 2 ** Math.round(Math.log2((kb * 1024) / pages))
      if (size >= 4096) return size
    }
  }
  return 4096
}

/** Whether schedstat holds real run times here: this very thread has run, so its figure cannot be 0. */
export function schedstatWorks(): boolean {
  const buf = Buffer.alloc(128)
  const file = openProcFile('/proc/thread-self/schedstat')
  if (!file) return false
  const n = file.read(buf)
  file.close()
  return n > 0 && parseSchedstat(buf, n).runNs > 0
}
