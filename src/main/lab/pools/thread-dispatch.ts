// How a thread pool hands out work: short tasks go ahead to workers in batches, each with a shared state word (slot)
// so that a worker's start and cancel() race on one compare-and-swap; an idle worker steals from a full inbox.
import type { TaskOutcome } from '../units/protocol'
import { TASK_SLOT } from '../units/protocol'
import { AheadBudget, MAX_AHEAD } from './ahead-budget'
import type { Dispatcher, DispatchHost, Job, PoolWorker } from './dispatch'
import { TaskSlots } from './task-slots'

export const POOL_MAX_SIZE = 64
const SLOT_COUNT = POOL_MAX_SIZE * MAX_AHEAD

export class ThreadDispatch implements Dispatcher {
  readonly held: Job[] = []
  private readonly slots = new TaskSlots(SLOT_COUNT)
  private readonly ahead = new AheadBudget()

  constructor(private readonly pool: DispatchHost) {}

  workerReady(w: PoolWorker): void {
    w.unit.host.send({ t: 'slots', buffer: this.slots.buffer })
  }

  ran(ms: number): void {
    this.ahead.ran(ms)
  }

  feed(w: PoolWorker): boolean {
    const { queue } = this.pool
    const room =
      Math.min(this.ahead.limit(queue.length + this.pool.busy, this.pool.size), this.pool.quota(w) + w.jobs.length) -
      w.jobs.length
    const jobs: Job[] = []
    const source = queue.length === 0 && w.jobs.length === 0 ? this.steal(w) : queue
    while (jobs.length < room && source.length > 0) {
      const job = source[0]
      if (job.future.done()) {
        source.shift()
        continue
      }
      const slot = this.slots.acquire()
      if (slot === null) break
      source.shift()
      job.slot = slot
      job.order.slot = slot
      job.future.useSlot(this.slots.states, slot)
      jobs.push(job)
    }
    // Stolen tasks beyond this worker's room wait at the head of the queue.
    if (source !== queue) queue.unshift(...source)
    if (jobs.length === 0) return false
    this.pool.send(w, jobs)
    return true
  }

  /**
   * An idle worker takes half the tasks waiting in the fullest other inbox (from its end). The compare-and-swap
   * that cancels a task's old slot also proves its worker had not started it; that worker then skips it.
   */
  private steal(thief: PoolWorker): Job[] {
    let victim: PoolWorker | null = null
    for (const w of this.pool.workers)
      if (w !== thief && w.jobs.length > 1 && (!victim || w.jobs.length > victim.jobs.length)) victim = w
    if (!victim) return []
    const taken: Job[] = []
    const want = Math.max(1, Math.floor((victim.jobs.length - 1) / 2))
    for (let i = victim.jobs.length - 1; i >= 1 && taken.length < want; i--) {
      const job = victim.jobs[i]
      // Transferred buffers already left for the other worker: those tasks stay where they are.
      if (
        job.slot === null ||
        job.transfer ||
        Atomics.compareExchange(this.slots.states, job.slot, TASK_SLOT.PENDING, TASK_SLOT.CANCELLED) !==
          TASK_SLOT.PENDING
      )
        continue
      victim.tombs.set(job.order.id, job.slot)
      victim.jobs.splice(i, 1)
      this.pool.busy--
      job.slot = null
      job.order.slot = undefined
      job.future.useSlot(null)
      taken.unshift(job)
    }
    return taken
  }

  topUp(): void {}

  consumeTomb(w: PoolWorker, o: TaskOutcome): boolean {
    // A worker reports in the order it was sent, so the first skip of a stolen id is its old copy's.
    const tomb = o.skipped ? w.tombs.get(o.id) : undefined
    if (tomb === undefined) return false
    w.tombs.delete(o.id)
    this.slots.release(tomb)
    return true
  }

  leaveInbox(job: Job): void {
    if (job.slot === null) return
    this.slots.release(job.slot)
    job.slot = null
    job.order.slot = undefined
    job.future.useSlot(null)
  }

  startedAmong(jobs: readonly Job[]): number {
    return jobs.findIndex((j) => j.slot !== null && this.slots.state(j.slot) === TASK_SLOT.RUNNING)
  }

  cancelledInInbox(job: Job): boolean {
    return job.slot !== null && this.slots.state(job.slot) === TASK_SLOT.CANCELLED
  }

  workerGone(w: PoolWorker): void {
    for (const tomb of w.tombs.values()) this.slots.release(tomb)
    w.tombs.clear()
  }
}
