// How a process pool hands out work, as ProcessPoolExecutor does: up to size + 1 tasks count as running (its call
// queue) once they are bound for a worker, so they can no longer be cancelled. Short tasks go to a worker in batches
// (one message each way per batch, as the thread pool does); a task of 0.5 ms or more goes alone, exactly as in Python.
import { AheadBudget } from './ahead-budget'
import type { Dispatcher, DispatchHost, Job, PoolWorker } from './dispatch'

/** ProcessPoolExecutor's EXTRA_QUEUED_CALLS. */
const CALL_QUEUE_EXTRA = 1

/** Marks a job running as it is bound for a worker; one already running (back from a dead worker's inbox) stays so. False if it was cancelled. */
function bound(job: Job): boolean {
  return job.future.markRunning() || job.future.state === 'running'
}

export class ProcessDispatch implements Dispatcher {
  /** Jobs already marked running but not yet on a worker: Python's call queue. */
  readonly held: Job[] = []
  private readonly ahead = new AheadBudget()

  constructor(private readonly pool: DispatchHost) {}

  workerReady(): void {}

  ran(ms: number): void {
    this.ahead.ran(ms)
  }

  feed(w: PoolWorker): boolean {
    // A child shares no memory with the lab, so a task sent is a task started as far as cancel() goes: what the budget
    // allows a worker to hold is all it is sent.
    const { queue } = this.pool
    if (queue.length === 0 && this.held.length === 0) return false
    const limit = this.ahead.limit(queue.length + this.held.length + this.pool.busy, this.pool.size)
    const room = Math.min(limit - w.jobs.length, this.pool.quota(w))
    const jobs: Job[] = []
    while (jobs.length < room && this.held.length > 0) jobs.push(this.held.shift()!)
    while (jobs.length < room && queue.length > 0) {
      const next = queue.shift()!
      if (bound(next)) jobs.push(next)
    }
    if (jobs.length === 0) return false
    this.pool.send(w, jobs)
    return true
  }

  topUp(): void {
    const { queue } = this.pool
    while (queue.length > 0 && this.pool.busy + this.held.length < this.pool.size + CALL_QUEUE_EXTRA) {
      const job = queue.shift()!
      if (bound(job)) this.held.push(job)
    }
  }

  consumeTomb(): boolean {
    return false
  }

  leaveInbox(): void {}

  /**
   * A process runs its tasks in the order sent: the first unanswered one was running if the worker said it started
   * that message. (Outcomes of a batch travel together, so one that finished less than 2 ms before a kill may be the one
   * blamed.) A worker killed before it read the message ran none: they all go back to the queue.
   */
  startedAmong(jobs: readonly Job[]): number {
    return jobs[0]?.batch?.started ? 0 : -1
  }

  cancelledInInbox(): boolean {
    return false
  }

  workerGone(): void {}
}
