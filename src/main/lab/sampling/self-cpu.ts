// CPU time a unit measures on itself around each task, so a task bar can be tied to real CPU use.
import { closeSync, openSync, readSync } from 'node:fs'
import { parseStatTimes, USER_HZ } from './procfs'

export type SelfCpuClock = () => number | null

/** Returns a clock giving this thread's (or process's) CPU milliseconds, or null where it cannot be read. */
export function createSelfCpuClock(scope: 'thread' | 'process'): SelfCpuClock {
  if (scope === 'process') {
    return () => {
      const u = process.cpuUsage()
      return (u.user + u.system) / 1000
    }
  }
  const threadCpuUsage = (process as unknown as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage
  if (threadCpuUsage) {
    return () => {
      const u = threadCpuUsage.call(process)
      return (u.user + u.system) / 1000
    }
  }
  let fd: number
  try {
    fd = openSync('/proc/thread-self/stat', 'r')
  } catch {
    return () => null
  }
  const buf = Buffer.alloc(1024)
  const msPerTick = 1000 / USER_HZ
  return () => {
    try {
      const n = readSync(fd, buf, 0, buf.length, 0)
      const times = parseStatTimes(buf.toString('latin1', 0, n))
      return times ? (times.utime + times.stime) * msPerTick : null
    } catch {
      closeSync(fd)
      return null
    }
  }
}
