// How a process pool hands out work, as ProcessPoolExecutor does: a worker gets one task at a time, and up to size + 1
// tasks count as running (its call queue) before a worker takes them, so they can no longer be cancelled.
import type { Dispatcher, DispatchHost, Job, PoolWorker } from './dispatch'

/** ProcessPoolExecutor's EXTRA_QUEUED_CALLS. */
const CALL_QUEUE_EXTRA = 1

export class ProcessDispatch implements Dispatcher {
  /** Jobs already marked running but not yet on a worker: Python's call queue. */
  readonly held: Job[] = []

  constructor(private readonly pool: DispatchHost) {}

  workerReady(): void {}

  feed(w: PoolWorker): boolean {
    if (w.jobs.length > 0) return false
    const { queue } = this.pool
    let job = this.held.shift()
    while (!job && queue.length > 0) {
      const next = queue.shift()!
      if (next.future.markRunning()) job = next
    }
    if (!job) return false
    this.pool.put(w, job)
    w.unit.host.send(job.order)
    return true
  }

  topUp(): void {
    const { queue } = this.pool
    while (queue.length > 0 && this.pool.busy + this.held.length < this.pool.size + CALL_QUEUE_EXTRA) {
      const job = queue.shift()!
      if (job.future.markRunning()) this.held.push(job)
    }
  }

  consumeTomb(): boolean {
    return false
  }

  leaveInbox(): void {}

  ran(): void {}

  /** A process runs the first task it was sent. */
  startedAmong(jobs: readonly Job[]): number {
    return jobs.length > 0 ? 0 : -1
  }

  cancelledInInbox(): boolean {
    return false
  }

  workerGone(): void {}
}
