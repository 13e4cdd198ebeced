// Linux collector: /proc/PID/stat for processes, /proc/PID/task/TID/schedstat (+ stat) for threads, files kept open.
import type { Collector, RawSample, SampleTarget } from '../collector'
import { openProcFile, parseSchedstat, parseStat, pageSize, schedstatWorks, USER_HZ, type ProcFile, type Stat } from './procfs'

interface OpenTask {
  pid: number
  tid: number | null
  stat: ProcFile
  /** /proc/PID/task/TID/schedstat of a thread, where the kernel keeps it. */
  sched: ProcFile | null
  /** The thread's run time (ns) at the last read, and the stat read with it. */
  runtime: number
  last: Stat | null
  /** Tick this task was last read in; files not read in a tick are closed. */
  seen: number
}

export class ProcFsCollector implements Collector {
  readonly name = 'procfs'
  private readonly files = new Map<string, OpenTask>()
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
      const task = this.read(target, tick)
      const stat = task?.last
      if (!task || !stat || stat.state === 'Z' || stat.state === 'X') continue
      out.set(target.id, {
        cpuSeconds: task.sched ? task.runtime / 1e9 : (stat.utime + stat.stime) / USER_HZ,
        rss: target.tid === null ? stat.rss * this.pageBytes : null,
        state: stat.state,
      })
    }
    for (const [id, task] of this.files) if (task.seen !== tick) this.forget(id, task)
    return out
  }

  private read(target: SampleTarget, tick: number): OpenTask | null {
    let task = this.files.get(target.id)
    if (task && (task.pid !== target.pid || task.tid !== target.tid)) {
      this.forget(target.id, task)
      task = undefined
    }
    if (task === undefined) {
      const thread = target.tid !== null
      const base = thread ? `/proc/${target.pid}/task/${target.tid}/` : `/proc/${target.pid}/`
      const stat = openProcFile(`${base}stat`)
      if (!stat) return null
      task = { pid: target.pid, tid: target.tid, stat, sched: thread && this.useSchedstat ? openProcFile(`${base}schedstat`) : null, runtime: -1, last: null, seen: tick }
      this.files.set(target.id, task)
    }
    task.seen = tick
    if (task.sched) {
      const n = task.sched.read(this.buf, 64)
      if (n < 0) return this.gone(target.id, task)
      const runtime = parseSchedstat(this.buf, n).runNs
      if (runtime === task.runtime && task.last) return task
      task.runtime = runtime
    }
    const n = task.stat.read(this.buf)
    // Gone (ESRCH on read): forget it; a reused PID gets fresh files next time.
    if (n < 0) return this.gone(target.id, task)
    task.last = parseStat(this.buf, n)
    return task
  }

  private gone(id: string, task: OpenTask): null {
    this.forget(id, task)
    return null
  }

  private forget(id: string, task: OpenTask): void {
    task.stat.close()
    task.sched?.close()
    this.files.delete(id)
  }

  close(): void {
    for (const [id, task] of this.files) this.forget(id, task)
  }
}
