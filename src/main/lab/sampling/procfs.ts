// Linux collector: reads /proc/PID/stat and /proc/PID/task/TID/stat, keeping each file open between ticks.
import { closeSync, openSync, readSync } from 'node:fs'
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

export function pageSize(): number {
  try {
    return Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096
  } catch {
    return 4096
  }
}

export class ProcFsCollector implements Collector {
  readonly name = 'procfs'
  private readonly fds = new Map<string, number>()
  private readonly buf = Buffer.alloc(4096)
  private readonly pageBytes = pageSize()

  async collect(targets: readonly SampleTarget[]): Promise<Map<string, RawSample>> {
    return this.collectSync(targets)
  }

  /** Synchronous on purpose: one pread per target costs microseconds; the thread pool would cost more. */
  collectSync(targets: readonly SampleTarget[]): Map<string, RawSample> {
    const out = new Map<string, RawSample>()
    const seen = new Set<string>()
    for (const target of targets) {
      const path = target.tid === null ? `/proc/${target.pid}/stat` : `/proc/${target.pid}/task/${target.tid}/stat`
      seen.add(path)
      const stat = this.read(path)
      if (!stat || stat.state === 'Z' || stat.state === 'X') continue
      out.set(target.id, {
        cpuSeconds: (stat.utime + stat.stime) / USER_HZ,
        rss: target.tid === null ? stat.rss * this.pageBytes : null,
        state: stat.state,
      })
    }
    for (const [path, fd] of this.fds) {
      if (!seen.has(path)) {
        closeSync(fd)
        this.fds.delete(path)
      }
    }
    return out
  }

  private read(path: string): StatTimes | null {
    let fd = this.fds.get(path)
    try {
      if (fd === undefined) {
        fd = openSync(path, 'r')
        this.fds.set(path, fd)
      }
      const n = readSync(fd, this.buf, 0, this.buf.length, 0)
      return parseStatTimes(this.buf.toString('latin1', 0, n))
    } catch {
      // Gone (ENOENT on open, ESRCH on read): forget it; a reused PID gets a fresh file next time.
      if (fd !== undefined) closeSync(fd)
      this.fds.delete(path)
      return null
    }
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd)
    this.fds.clear()
  }
}
