// The executor core shared by thread and process pools: workers and their lives, the queue, submit, resize,
// shutdown, outcomes and task events. How work reaches a worker is its kind's dispatcher (thread-/process-dispatch.ts).
import type { LabClock } from '../clock'
import type { Outbox } from '../unit-table'
import type { Mode, TaskOutcome } from '../units/protocol'
import type { ExitInfo } from '../units/unit-host'
import type { UnitSpawner } from '../units/spawner'
import type { Transferable } from 'node:worker_threads'
import type { Dispatcher, DispatchHost, Job, PoolWorker } from './dispatch'
import { PoolError, workerLost } from './errors'
import { Executor } from './executor'
import { Future } from './future'
import { ProcessDispatch } from './process-dispatch'
import { callText, shortText, TaskLog, type TaskRecord } from './task-log'
import { POOL_MAX_SIZE, ThreadDispatch } from './thread-dispatch'

export type { TaskRecord } from './task-log'

export { PoolError } from './errors'
export { POOL_MAX_SIZE } from './thread-dispatch'

export interface PoolDeps {
  clock: LabClock
  outbox: Outbox
  spawner: UnitSpawner
}

export interface PoolOptions {
  kind: Mode
  size: number
  name: string
  runId: string | null
  /** Push submitted / started / finished TaskEvents to the outbox (default true). A comparison of 20,000 tasks turns them off and keeps records instead. */
  taskEvents?: boolean
  /** Called once per finished task with its timings (lab clock, ms). */
  onRecord?: (record: TaskRecord) => void
}


/** A worker that dies before it ever says hello this many times in a row means spawning itself is broken. */
const MAX_START_FAILURES = 3

export class Pool extends Executor implements DispatchHost {
  readonly kind: Mode
  readonly name: string
  readonly createdAt: number
  readonly workers = new Set<PoolWorker>()
  readonly queue: Job[] = []
  busy = 0
  private readonly dispatcher: Dispatcher
  private readonly log: TaskLog
  private nextTask = 1
  private nextWorker = 1
  private closed = false
  private stopping = false
  private startFailures = 0
  private idleWaiters: (() => void)[] = []

  constructor(
    private readonly deps: PoolDeps,
    private readonly opts: PoolOptions,
  ) {
    super()
    this.kind = opts.kind
    this.name = opts.name
    this.createdAt = deps.clock.now()
    this.log = new TaskLog(deps.outbox, opts.name, opts.runId, opts.taskEvents ?? true, opts.onRecord)
    this.dispatcher = opts.kind === 'thread' ? new ThreadDispatch(this) : new ProcessDispatch(this)
    checkSize(opts.size)
    for (let i = 0; i < opts.size; i++) this.addWorker()
  }

  get size(): number {
    let n = 0
    for (const w of this.workers) if (!w.retiring) n++
    return n
  }

  /** Unit ids of the current workers. */
  workerIds(): string[] {
    return [...this.workers].map((w) => w.unit.id)
  }

  /** Resolves once every current worker has said hello (or died trying). */
  async ready(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.unit.ready))
  }

  /** submit() with a transfer list: ArrayBuffers move to a thread worker instead of being copied (processes always copy). */
  submitWith<T = unknown>(name: string, args: unknown[], opts: { transfer?: readonly Transferable[] } = {}): Future<T> {
    if (this.closed) throw new PoolError(`Pool ${this.name} is shut down: cannot submit ${name}.`)
    const id = this.nextTask++
    const future = new Future<T>(id, name)
    const job: Job = { future: future as Future, order: { t: 'task', id, name, args }, submittedAt: this.deps.clock.now(), transfer: opts.transfer, slot: null, startedEmitted: false }
    this.log.event(job, 'submitted', null, job.submittedAt)
    this.queue.push(job)
    this.dispatch()
    return future
  }

  protected callbackFailed(taskId: number, err: Error): void {
    this.deps.outbox.logs.push({ t: this.deps.clock.now(), unit: null, runId: this.opts.runId, text: `${this.name}: callback of task ${taskId} failed: ${err.message}`, stream: 'err' })
  }

  /** Grows at once; shrinks by retiring idle workers first, busy ones after their task. No task is lost. */
  resize(size: number): void {
    checkSize(size)
    if (this.closed) throw new PoolError(`Pool ${this.name} is shut down: cannot resize.`)
    const active = [...this.workers].filter((w) => !w.retiring)
    for (let i = active.length; i < size; i++) this.addWorker()
    const surplus = active.length - size
    if (surplus > 0) {
      const byIdleFirst = active.sort((a, b) => a.jobs.length - b.jobs.length)
      for (const w of byIdleFirst.slice(0, surplus)) {
        w.retiring = true
        if (w.jobs.length === 0) void w.unit.host.stop()
      }
    }
    this.deps.outbox.events.push({ type: 'mark', t: this.deps.clock.now(), runId: this.opts.runId, text: `${this.name} resized to ${size}` })
    this.dispatch()
  }

  /** Like Executor.shutdown: refuse new tasks, optionally cancel what has not started, optionally wait for the rest. */
  async shutdown(opts: { wait?: boolean; cancelFutures?: boolean } = {}): Promise<void> {
    this.closed = true
    if (opts.cancelFutures) {
      for (const job of this.queue.splice(0)) job.future.cancel()
      // Tasks sent ahead to threads but not started are still pending: cancel() wins its race for those.
      for (const w of this.workers) for (const job of w.jobs) job.future.cancel()
    }
    const stopAll = async (): Promise<void> => {
      await this.whenIdle()
      await Promise.all([...this.workers].map((w) => w.unit.host.stop()))
    }
    // wait=false returns at once; the workers still finish what they hold, then leave.
    if (opts.wait ?? true) await stopAll()
    else void stopAll()
  }

  /** Ends every worker now; unfinished futures fail. */
  async kill(): Promise<void> {
    this.closed = true
    this.stopping = true
    for (const job of this.queue.splice(0)) job.future.reject(new PoolError(`Pool ${this.name} was stopped before task ${job.order.id} (${job.order.name}) ran.`))
    for (const job of this.dispatcher.held.splice(0)) job.future.reject(new PoolError(`Pool ${this.name} was stopped before task ${job.order.id} (${job.order.name}) reached a worker.`))
    await Promise.all([...this.workers].map((w) => w.unit.host.stop()))
  }

  private whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.dispatcher.held.length === 0 && this.busy === 0
  }

  private addWorker(): void {
    const lane = this.nextWorker++
    const label = `${this.name} / worker ${lane}`
    const unit = this.deps.spawner.spawn({ mode: this.kind, label, runId: this.opts.runId })
    const worker: PoolWorker = { unit, label, lane, jobs: [], tombs: new Map(), retiring: false }
    this.workers.add(worker)
    unit.on('message', (msg) => {
      if (msg.t === 'taskDone') this.settle(worker, msg)
      else if (msg.t === 'tasksDone') for (const o of msg.outcomes) this.settle(worker, o)
      else return
      if (worker.retiring) {
        if (worker.jobs.length === 0) void unit.host.stop()
      } else this.feed(worker)
      this.dispatch()
    })
    unit.on('exit', (info) => {
      this.workers.delete(worker)
      this.lost(worker, info)
      this.startFailures = unit.isReady ? 0 : this.startFailures + 1
      // A worker lost by accident is replaced so the pool keeps its size.
      if (!worker.retiring && !this.closed) {
        if (this.startFailures < MAX_START_FAILURES) this.addWorker()
        else this.failAll(`${MAX_START_FAILURES} workers of pool ${this.name} in a row exited before starting (last: ${info.error ?? `exit code ${info.code}`}).`)
      }
      this.dispatch()
    })
    void unit.ready.then(() => {
      if (unit.isReady) {
        this.startFailures = 0
        this.dispatcher.workerReady(worker)
      }
      this.dispatch()
    })
  }

  /** A task's outcome came back from its worker (in the order the worker got them). */
  private settle(w: PoolWorker, o: TaskOutcome): void {
    if (this.dispatcher.consumeTomb(w, o)) return
    const at = w.jobs.findIndex((j) => j.order.id === o.id)
    if (at < 0) return
    const [job] = w.jobs.splice(at, 1)
    this.busy--
    this.dispatcher.leaveInbox(job)
    // Cancelled while it waited in the worker's inbox: its future is already done.
    if (o.skipped) return
    const { clock } = this.deps
    const startedAt = clock.fromAbs(o.startedAt)
    const endedAt = clock.fromAbs(o.endedAt)
    this.dispatcher.ran(endedAt - startedAt)
    if (o.ok) job.future.resolve(o.value)
    else job.future.reject(new Error(o.error))
    if (!job.startedEmitted) this.log.event(job, 'started', w.unit.id, startedAt)
    this.log.event(job, 'finished', w.unit.id, endedAt, {
      ok: o.ok,
      error: o.error,
      cpuMs: o.cpuMs ?? undefined,
      queueMs: startedAt - job.submittedAt,
      call: callText(job.order.name, job.order.args),
      value: o.ok ? shortText(o.value) : undefined,
    })
    this.log.onRecord?.({ id: job.order.id, name: job.order.name, worker: w.unit.id, lane: w.lane, submittedAt: job.submittedAt, startedAt, endedAt, doneAt: clock.now(), cpuMs: o.cpuMs, ok: o.ok })
  }

  /** A worker died: the task it was running fails, naming it; tasks still waiting in its inbox go back to the queue. */
  private lost(w: PoolWorker, info: ExitInfo): void {
    const jobs = w.jobs.splice(0)
    this.busy -= jobs.length
    const runningAt = this.dispatcher.startedAmong(jobs)
    this.dispatcher.workerGone(w)
    const back: Job[] = []
    jobs.forEach((job, i) => {
      const cancelled = this.dispatcher.cancelledInInbox(job)
      this.dispatcher.leaveInbox(job)
      if (cancelled) return
      if (i !== runningAt && !this.stopping) return void back.push(job)
      const error = this.stopping ? new PoolError(`Pool ${this.name} was stopped while task ${job.order.id} (${job.order.name}) was on ${w.label}.`) : workerLost(w.label, w.unit.host, info, job.order)
      job.future.reject(error)
      this.log.event(job, 'finished', w.unit.id, this.deps.clock.now(), { ok: false, error: error.message })
    })
    this.queue.unshift(...back)
  }

  private failAll(reason: string): void {
    this.closed = true
    for (const job of [...this.queue.splice(0), ...this.dispatcher.held.splice(0)]) job.future.reject(new PoolError(reason))
  }

  private feed(w: PoolWorker): boolean {
    if (w.retiring || !w.unit.isReady || !w.unit.host.alive) return false
    return this.dispatcher.feed(w)
  }

  put(w: PoolWorker, job: Job): void {
    // The first job of an idle worker starts at once; later ones report their start when they finish.
    if (w.jobs.length === 0) this.log.event(job, 'started', w.unit.id, this.deps.clock.now())
    w.jobs.push(job)
    this.busy++
  }

  private dispatch(): void {
    if (this.queue.length > 0 || this.dispatcher.held.length > 0) {
      for (const w of this.workers) {
        this.feed(w)
        if (this.queue.length === 0 && this.dispatcher.held.length === 0) break
      }
      this.dispatcher.topUp()
    }
    if (this.idleWaiters.length > 0 && this.isIdle()) {
      for (const resolve of this.idleWaiters.splice(0)) resolve()
    }
  }

}

export function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size > POOL_MAX_SIZE) {
    throw new PoolError(`Pool size must be a whole number from 1 to ${POOL_MAX_SIZE} (got ${size}).`)
  }
}
