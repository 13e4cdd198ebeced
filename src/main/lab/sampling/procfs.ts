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
  path: string
  fd: number
  /** Tick this file was last read in; files not read in a tick are closed. */
  seen: number
}

export class ProcFsCollector implements Collector {
  readonly name = 'procfs'
  /** Open stat file by target id. */
  private readonly files = new Map<string, OpenStat>()
  private readonly buf = Buffer.alloc(4096)
  private readonly pageBytes = pageSize()
  private tick = 0

  async collect(targets: readonly SampleTarget[]): Promise<Map<string, RawSample>> {
    return this.collectSync(targets)
  }

  /** Synchronous on purpose: one pread per target costs microseconds; the thread pool would cost more. */
  collectSync(targets: readonly SampleTarget[]): Map<string, RawSample> {
    const out = new Map<string, RawSample>()
    const tick = ++this.tick
    for (const target of targets) {
      const stat = this.read(target, tick)
      if (!stat || stat.state === 'Z' || stat.state === 'X') continue
      out.set(target.id, {
        cpuSeconds: (stat.utime + stat.stime) / USER_HZ,
        rss: target.tid === null ? stat.rss * this.pageBytes : null,
        state: stat.state,
      })
    }
    for (const [id, file] of this.files) {
      if (file.seen !== tick) {
        closeSync(file.fd)
        this.files.delete(id)
      }
    }
    return out
  }

  private read(target: SampleTarget, tick: number): StatTimes | null {
    let file = this.files.get(target.id)
    // A unit's pid and tid are fixed once known; the path is built only when they change (or on the first read).
    if (file && !file.path.startsWith(`/proc/${target.pid}/`)) {
      closeSync(file.fd)
      this.files.delete(target.id)
      file = undefined
    }
    try {
      if (file === undefined) {
        const path = target.tid === null ? `/proc/${target.pid}/stat` : `/proc/${target.pid}/task/${target.tid}/stat`
        file = { path, fd: openSync(path, 'r'), seen: tick }
        this.files.set(target.id, file)
      }
      file.seen = tick
      const n = readSync(file.fd, this.buf, 0, this.buf.length, 0)
      return parseStatBytes(this.buf, n)
    } catch {
      // Gone (ENOENT on open, ESRCH on read): forget it; a reused PID gets a fresh file next time.
      if (file !== undefined) {
        closeSync(file.fd)
        this.files.delete(target.id)
      }
      return null
    }
  }

  close(): void {
    for (const file of this.files.values()) closeSync(file.fd)
    this.files.clear()
  }
}
