// Linux collector: reads /proc/PID/stat for processes and /proc/PID/task/TID/schedstat (+ stat) for threads, keeping files open.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import type { Collector, RawSample, SampleTarget } from './collector'

/** The kernel reports CPU times in USER_HZ ticks, fixed at 100 for /proc on mainstream Linux. */
export const USER_HZ = 100

export interface StatTimes {
  state: string
  utime: number
  stime: number
  /** Resident pages. */
  rss: number
}

/** Parses a stat line; the comm field may hold spaces and parentheses, so split after the last ')'. */
export function parseStatTimes(text: string): StatTimes | null {
  const close = text.lastIndexOf(')')
  if (close < 0) return null
  const f = text.slice(close + 2).split(' ')
  // f[0] is field 3 (state); utime is field 14, stime 15, rss 24.
  const utime = Number(f[11])
  const stime = Number(f[12])
  const rss = Number(f[21])
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null
  return { state: f[0], utime, stime, rss }
}

/**
 * The same fields read straight from the bytes of a stat line, without building strings: the collector reads a few
 * hundred of these per tick (a program with many threads).
 */
export function parseStatBytes(buf: Buffer, n: number): StatTimes | null {
  const close = buf.lastIndexOf(0x29, n - 1)
  if (close < 0) return null
  let field = 3
  let value = 0
  let utime = -1
  let stime = -1
  let rss = 0
  const state = String.fromCharCode(buf[close + 2])
  for (let i = close + 2; i <= n; i++) {
    const c = i < n ? buf[i] : 0x20
    if (c === 0x20 || c === 0x0a) {
      if (field === 14) utime = value
      else if (field === 15) stime = value
      else if (field === 24) {
        rss = value
        break
      }
      field++
      value = 0
    } else if (c >= 0x30 && c <= 0x39) value = value * 10 + (c - 0x30)
  }
  return utime < 0 || stime < 0 ? null : { state, utime, stime, rss }
}

export function pageSize(): number {
  try {
    return Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096
  } catch {
    return 4096
  }
}

interface OpenStat {
  pid: number
  tid: number | null
  /** /proc/.../stat */
  fd: number
  /** /proc/PID/task/TID/schedstat of a thread, where the kernel keeps it; -1 otherwise. */
  schedFd: number
  /** The thread's run time (ns) at the last read, and the stat read with it. */
  runtime: number
  stat: StatTimes | null
  /** Tick this file was last read in; files not read in a tick are closed. */
  seen: number
}

/** First field of a schedstat line: time on a CPU in ns (0 when the kernel keeps no scheduler statistics). */
function parseSchedRuntime(buf: Buffer, n: number): number {
  let v = 0
  for (let i = 0; i < n; i++) {
    const c = buf[i]
    if (c < 0x30 || c > 0x39) break
    v = v * 10 + (c - 0x30)
  }
  return v
}

/** Whether schedstat holds real run times here: this very thread has run, so its figure cannot be 0. */
function schedstatWorks(): boolean {
  try {
    const text = readFileSync('/proc/thread-self/schedstat', 'latin1')
    return Number(text.split(' ')[0]) > 0
  } catch {
    return false
  }
}

export class ProcFsCollector implements Collector {
  readonly name = 'procfs'
  /** Open files by target id. */
  private readonly files = new Map<string, OpenStat>()
  private readonly buf = Buffer.alloc(4096)
  private readonly pageBytes = pageSize()
  /**
   * Threads are read through schedstat (ns, and about a third of the cost of stat); their stat (for the state letter)
   * only when they ran since the last tick. A thread that did not run cannot have changed state from its own doing.
   * Programs with hundreds of mostly idle threads (pools) are the case this is for.
   */
  private readonly useSchedstat = schedstatWorks()
  private tick = 0

  async collect(targets: readonly SampleTarget[]): Promise<Map<string, RawSample>> {
    return this.collectSync(targets)
  }

  /** Synchronous on purpose: one pread per target costs microseconds; the thread pool would cost more. */
  collectSync(targets: readonly SampleTarget[]): Map<string, RawSample> {
    const out = new Map<string, RawSample>()
    const tick = ++this.tick
    for (const target of targets) {
      const file = this.read(target, tick)
      const stat = file?.stat
      if (!file || !stat || stat.state === 'Z' || stat.state === 'X') continue
      out.set(target.id, {
        cpuSeconds: file.schedFd >= 0 ? file.runtime / 1e9 : (stat.utime + stat.stime) / USER_HZ,
        rss: target.tid === null ? stat.rss * this.pageBytes : null,
        state: stat.state,
      })
    }
    for (const [id, file] of this.files) if (file.seen !== tick) this.forget(id, file)
    return out
  }

  private read(target: SampleTarget, tick: number): OpenStat | null {
    let file = this.files.get(target.id)
    if (file && (file.pid !== target.pid || file.tid !== target.tid)) {
      this.forget(target.id, file)
      file = undefined
    }
    try {
      if (file === undefined) {
        const thread = target.tid !== null
        const base = thread ? `/proc/${target.pid}/task/${target.tid}/` : `/proc/${target.pid}/`
        file = { pid: target.pid, tid: target.tid, fd: openSync(`${base}stat`, 'r'), schedFd: -1, runtime: -1, stat: null, seen: tick }
        this.files.set(target.id, file)
        if (thread && this.useSchedstat) file.schedFd = openSync(`${base}schedstat`, 'r')
      }
      file.seen = tick
      if (file.schedFd >= 0) {
        const runtime = parseSchedRuntime(this.buf, readSync(file.schedFd, this.buf, 0, 64, 0))
        if (runtime === file.runtime && file.stat) return file
        file.runtime = runtime
      }
      file.stat = parseStatBytes(this.buf, readSync(file.fd, this.buf, 0, this.buf.length, 0))
      return file
    } catch {
      // Gone (ENOENT on open, ESRCH on read): forget it; a reused PID gets fresh files next time.
      if (file !== undefined) this.forget(target.id, file)
      return null
    }
  }

  private forget(id: string, file: OpenStat): void {
    closeSync(file.fd)
    if (file.schedFd >= 0) closeSync(file.schedFd)
    this.files.delete(id)
  }

  close(): void {
    for (const [id, file] of this.files) this.forget(id, file)
  }
}
