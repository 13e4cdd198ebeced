// What a unit learns about itself: its OS thread id, and the CPU clock it reads around each task (so a task bar can be
// tied to real CPU use).
import { threadId } from './linux/procfs'
import { createLinuxThreadClock, type CpuClock } from './linux/thread-clock'

export type { CpuClock }

/** This thread's (or process's) CPU milliseconds, from the best clock the platform has; null where there is none. */
export function createCpuClock(scope: 'thread' | 'process'): CpuClock {
  // A process's tasks run on its main thread, but its CPU includes GC helper threads: count those too.
  if (scope === 'process') {
    return () => {
      const u = process.cpuUsage()
      return (u.user + u.system) / 1000
    }
  }
  const linux = process.platform === 'linux' ? createLinuxThreadClock() : null
  if (linux) return linux
  const threadCpuUsage = (process as unknown as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage
  if (threadCpuUsage) {
    return () => {
      const u = threadCpuUsage.call(process)
      return (u.user + u.system) / 1000
    }
  }
  return () => null
}

/** The calling thread's OS thread id (Linux TID), or null where the platform has none to give. */
export function osThreadId(): number | null {
  return process.platform === 'linux' ? threadId() : null
}
