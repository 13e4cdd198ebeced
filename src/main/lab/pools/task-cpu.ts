// The CPU clock a pool worker reads around its tasks: nanosecond /proc/thread-self/schedstat where Linux has it.
// /proc/thread-self/stat counts in 10 ms ticks, useless for a 1 ms task; schedstat's first field is the thread's
// run time in ns and costs about 3 us to read, so a worker reads it once per task (see worker-host.ts).
import { openSync, readSync } from 'node:fs'
import { createSelfCpuClock, type SelfCpuClock } from '../sampling/self-cpu'

export function createTaskCpuClock(scope: 'thread' | 'process'): SelfCpuClock {
  // A process's tasks run on its main thread, but its CPU includes GC helper threads: count those too.
  if (scope === 'process') return createSelfCpuClock('process')
  let fd: number
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r')
  } catch {
    return createSelfCpuClock('thread')
  }
  const buf = Buffer.alloc(128)
  return () => {
    const n = readSync(fd, buf, 0, buf.length, 0)
    let ns = 0
    for (let i = 0; i < n; i++) {
      const c = buf[i]
      if (c < 48 || c > 57) break
      ns = ns * 10 + (c - 48)
    }
    return ns / 1e6
  }
}
