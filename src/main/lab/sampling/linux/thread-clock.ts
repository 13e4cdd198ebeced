// The calling thread's CPU clock on Linux: nanosecond /proc/thread-self/schedstat, else its stat in 10 ms ticks.
// schedstat's first field is the thread's run time in ns and costs about 3 us to read, so a pool worker reads it once
// per task; stat counts in ticks, too coarse for a 1 ms task, and is only the fallback.
import { openProcFile, parseSchedstat, parseStat, schedstatWorks, USER_HZ } from './procfs'

/** Milliseconds of CPU this thread has used, or null once it cannot be read (the file stays closed after a failure). */
export type CpuClock = () => number | null

export function createLinuxThreadClock(): CpuClock | null {
  const nanos = schedstatWorks()
  return fileClock(nanos ? '/proc/thread-self/schedstat' : '/proc/thread-self/stat', nanos)
}

/** A clock over one /proc file of a thread: schedstat (ns) when `nanos`, else stat (ticks). Null if it cannot be opened. */
export function fileClock(path: string, nanos: boolean): CpuClock | null {
  const file = openProcFile(path)
  if (!file) return null
  const buf = Buffer.alloc(nanos ? 128 : 1024)
  return () => {
    const n = file.read(buf)
    if (n <= 0) return null
    if (nanos) return parseSchedstat(buf, n).runNs / 1e6
    const stat = parseStat(buf, n)
    return stat ? ((stat.utime + stat.stime) * 1000) / USER_HZ : null
  }
}
