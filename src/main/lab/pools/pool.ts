// The executor core shared by thread and process pools: workers and their lives, the queue, submit, resize,
// shutdown, outcomes and task events. How work reaches a worker is its kind's dispatcher (thread-/process-dispatch.ts);
// when workers start and end is worker-lives.ts. Above 250 lines on purpose: a task's whole life in the pool (submit,
// send, outcome, loss with its worker, break-down) stays in one file, with the bookkeeping of `busy` and the inboxes.
import type { LabClock } from '../clock'
import type { Outbox } from '../unit-table'
import type { Mode, TaskOutcome } from '../units/protocol'
import type { ExitInfo } from '../units/unit-host'
import type { UnitSpawner } from '../units/spawner'
import type { Transferable } from 'node:worker_threads'
import type { Dispatcher, DispatchHost, Job, PoolWorker } from './dispatch'
import { PoolError, unsendable, workerLost } from './errors'
import { Executor } from './executor'
import { Future } from './future'
import { ProcessDispatch } from './process-dispatch'
import { deserializeError } from './remote-error'
import { callText, shortText, TaskLog, type TaskRecord } from './task-log'
import { ThreadDispatch } from './thread-dispatch'
import { checkPoolOptions, WorkerLives, type PoolSetup } from './worker-lives'

export { PoolError } from './errors'
export { POOL_MAX_SIZE } from './thread-dispatch'
export type { TaskRecord } from './task-log'

export interface PoolDeps {
  clock: LabClock
  outbox: Outbox
  spawner: UnitSpawner
}

export interface PoolOptions extends PoolSetup {
  kind: Mode
  size: number
  name: string
  runId: string | null
  /** Push submitted / started / finished TaskEvents to the outbox (default true). A comparison of 20,000 tasks turns them off and keeps records instead. */
  taskEvents?: boolean
  /** Called once per finished task with its timings (lab clock, ms). */
  onRecord?: (record: TaskRecord) => void
}

export class Pool extends Executor implements DispatchHost {
  readonly kind: Mode
  readonly name: string
  readonly createdAt: number
  readonly workers = new Set<PoolWorker>()
  readonly queue: Job[] = []
  busy = 0
  private capacity: number
  private readonly dispatcher: Dispatcher
  private readonly log: TaskLog
  private readonly lives: WorkerLives
  private nextTask = 1
  private closed = false
  private stopping = false
  /** Why the pool refuses work for good (spawning broken, the module or initializer failed), as Python's BrokenExecutor. */
  private broken: PoolError | null = null
  private idleWaiters: (() => void)[] = []
  private readonly reportCallbackError = (err: unknown, f: Future): void => {
    const text = `${this.name}: callback of task ${f.id} (${f.name}) failed: ${err instanceof Error ? err.message : String(err)}`
    this.deps.outbox.logs.push({ t: this.deps.clock.now(), unit: null, runId: this.opts.runId, text, stream: 'err' })
  }

  constructor(
    private readonly deps: PoolDeps,
    private readonly opts: PoolOptions,
  ) {
    super()
    checkPoolOptions(opts)
    this.kind = opts.kind
    this.name = opts.name
    this.capacity = opts.size
    this.createdAt = deps.clock.now()
    this.log = new TaskLog(deps.outbox, opts.name, opts.runId, opts.taskEvents ?? true, opts.onRecord)
    this.dispatcher = opts.kind === 'thread' ? new ThreadDispatch(this) : new ProcessDispatch(this)
    this.lives = new WorkerLives(this, deps.spawner, opts, {
      message: (w, o) => this.settle(w, o),
      started: (w, id) => this.started(w, id),
      ready: (w) => this.dispatcher.workerReady(w),
      lost: (w, info) => this.lost(w, info),
      broken: (err) => this.breakDown(err),
      changed: () => this.dispatch(),
      closed: () => this.closed,
    })
    if ((opts.start ?? 'on-demand') === 'eager') this.lives.grow(this.capacity)
    this.dispatch()
  }

  /** The pool's size: at most this many workers run at once. */
  get size(): number {
    return this.capacity
  }

  /** Unit ids of the current workers. */
  workerIds(): string[] {
    return [...this.workers].map((w) => w.unit.id)
  }

  /** Starts every worker not started yet (an on-demand pool starts them as tasks come) and waits until they are up. */
  async ready(): Promise<void> {
    if (!this.closed) this.lives.grow(this.capacity)
    await Promise.all([...this.workers].map((w) => this.lives.whenReady(w)))
  }

  /** submit() with a transfer list: ArrayBuffers move to a thread worker instead of being copied (processes always copy). */
  submitWith<T = unknown>(name: string, args: unknown[], opts: { transfer?: readonly Transferable[] } = {}): Future<T> {
    if (this.broken)
      throw new PoolError(`Pool ${this.name} is broken, so it cannot run ${name}: ${this.broken.message}`, {
        cause: this.broken,
      })
    if (this.closed) throw new PoolError(`Pool ${this.name} is shut down: cannot submit ${name}.`)
    if (typeof name !== 'string' || name === '')
      throw new TypeError(`A task is named by a non-empty string (got ${typeof name}).`)
    const id = this.nextTask++
    const future = new Future<T>(id, name, this.reportCallbackError)
    const job: Job = {
      future: future as Future,
      order: { id, name, args },
      submittedAt: this.deps.clock.now(),
      transfer: opts.transfer,
      slot: null,
      startedEmitted: false,
    }
    this.log.event(job, 'submitted', null, job.submittedAt)
    this.queue.push(job)
    this.dispatch()
    return future
  }

  /** Grows (at once if the pool starts eagerly, else as tasks come); shrinks by retiring idle workers first, busy ones after their tasks. No task is lost. */
  resize(size: number): void {
    checkPoolOptions({ ...this.opts, size })
    if (this.closed) throw new PoolError(`Pool ${this.name} is shut down: cannot resize.`)
    this.capacity = size
    if ((this.opts.start ?? 'on-demand') === 'eager') this.lives.grow(size)
    this.lives.shrink(size)
    this.deps.outbox.events.push({
      type: 'mark',
      t: this.deps.clock.now(),
      runId: this.opts.runId,
      text: `${this.name} resized to ${size}`,
    })
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
    this.dispatch()
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
    for (const job of this.queue.splice(0))
      job.future.reject(
        new PoolError(`Pool ${this.name} was stopped before task ${job.order.id} (${job.order.name}) ran.`),
      )
    for (const job of this.dispatcher.held.splice(0))
      job.future.reject(
        new PoolError(
          `Pool ${this.name} was stopped before task ${job.order.id} (${job.order.name}) reached a worker.`,
        ),
      )
    await Promise.all([...this.workers].map((w) => w.unit.host.stop()))
  }

  private whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.dispatcher.held.length === 0 && this.busy === 0
  }

  /** Tasks not yet on any worker. */
  get waiting(): number {
    return this.queue.length + this.dispatcher.held.length
  }

  quota(w: PoolWorker): number {
    return this.opts.maxTasksPerChild ? this.opts.maxTasksPerChild - w.sent : Number.POSITIVE_INFINITY
  }

  send(w: PoolWorker, jobs: Job[]): void {
    for (const job of jobs) this.put(w, job)
    let transfer: Transferable[] | undefined
    for (const j of jobs) if (j.transfer) (transfer ??= []).push(...j.transfer)
    const undelivered = (): void => void jobs.forEach((j) => (j.undelivered = true))
    const ack = this.kind === 'process'
    if (ack) {
      const batch = { started: false }
      for (const job of jobs) job.batch = batch
    }
    let sent: boolean
    try {
      sent = w.unit.host.send(
        { t: 'tasks', orders: jobs.map((j) => j.order), ack },
        transfer,
        ack ? undelivered : undefined,
      )
    } catch (err) {
      // Some argument cannot be cloned: those tasks fail alone, naming it; the others are sent again.
      const bad = jobs.filter((j) => unsendable(j.order) !== null)
      for (const job of bad.length > 0 ? bad : jobs) {
        this.unbook(w, job)
        const error =
          unsendable(job.order) ??
          new PoolError(
            `Task ${job.order.id} (${job.order.name}) cannot be sent to a worker: ${(err as Error).message}`,
            { cause: err },
          )
        job.future.reject(error)
        this.log.event(job, 'finished', w.unit.id, this.deps.clock.now(), { ok: false, error: error.message })
      }
      const rest = jobs.filter((j) => w.jobs.includes(j))
      if (bad.length > 0 && rest.length > 0) {
        for (const job of rest) this.unbook(w, job)
        this.send(w, rest)
      }
      return
    }
    if (!sent) {
      // The worker is gone: the tasks go back to the queue; its exit replaces it.
      for (const job of jobs) this.unbook(w, job)
      this.queue.unshift(...jobs)
    }
  }

  private put(w: PoolWorker, job: Job): void {
    // The first job of an idle thread starts at once; a process says when it starts a message's first task; other
    // tasks report their start when they finish.
    if (w.jobs.length === 0 && this.kind === 'thread') this.log.event(job, 'started', w.unit.id, this.deps.clock.now())
    w.jobs.push(job)
    w.sent++
    this.busy++
  }

  private unbook(w: PoolWorker, job: Job): void {
    const at = w.jobs.indexOf(job)
    if (at < 0) return
    w.jobs.splice(at, 1)
    w.sent--
    this.busy--
    this.dispatcher.leaveInbox(job)
  }

  private started(w: PoolWorker, id: number): void {
    const job = w.jobs.find((j) => j.order.id === id)
    if (!job?.batch) return
    job.batch.started = true
    this.log.event(job, 'started', w.unit.id, this.deps.clock.now())
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
    else job.future.reject(o.error ? deserializeError(o.error) : new Error(`Task ${o.id} failed`))
    const error = o.error ? `${o.error.name}: ${o.error.message}` : undefined
    if (!job.startedEmitted) this.log.event(job, 'started', w.unit.id, startedAt)
    this.log.event(job, 'finished', w.unit.id, endedAt, {
      ok: o.ok,
      error,
      cpuMs: o.cpuMs ?? undefined,
      queueMs: startedAt - job.submittedAt,
      call: callText(job.order.name, job.order.args),
      value: o.ok ? shortText(o.value) : undefined,
    })
    this.log.onRecord?.({
      id: job.order.id,
      name: job.order.name,
      worker: w.unit.id,
      lane: w.lane,
      submittedAt: job.submittedAt,
      startedAt,
      endedAt,
      doneAt: clock.now(),
      cpuMs: o.cpuMs,
      ok: o.ok,
    })
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
      if ((i !== runningAt || job.undelivered) && !this.stopping) return void back.push(job)
      const error = this.stopping
        ? new PoolError(
            `Pool ${this.name} was stopped while task ${job.order.id} (${job.order.name}) was on ${w.label}.`,
          )
        : workerLost(w.label, w.unit.host, info, job.order)
      job.future.reject(error)
      this.log.event(job, 'finished', w.unit.id, this.deps.clock.now(), { ok: false, error: error.message })
    })
    this.queue.unshift(...back)
  }

  /** Spawning is broken, or the module or initializer failed: every waiting task fails with the reason, as Python's BrokenExecutor. */
  private breakDown(err: PoolError): void {
    if (this.broken) return
    this.broken = err
    this.closed = true
    for (const job of [...this.queue.splice(0), ...this.dispatcher.held.splice(0)]) job.future.reject(err)
    for (const w of this.workers) {
      for (const job of w.jobs.splice(0)) {
        this.busy--
        this.dispatcher.leaveInbox(job)
        job.future.reject(err)
      }
      w.unit.host.kill()
    }
    this.dispatch()
  }

  private feedable(w: PoolWorker): boolean {
    return !w.retiring && w.ready && w.unit.host.alive
  }

  private dispatch(): void {
    if (this.waiting > 0) {
      for (const w of this.workers) {
        if (this.feedable(w)) this.dispatcher.feed(w)
        if (this.waiting === 0) break
      }
      this.dispatcher.topUp()
      this.lives.startForWaiting(this.capacity, this.waiting)
    } else if (this.busy > 1) {
      // Nothing waits, but some inbox holds more than one task: an idle thread worker may steal from it.
      for (const w of this.workers) if (w.jobs.length === 0 && this.feedable(w)) this.dispatcher.feed(w)
    }
    this.lives.retireSpent()
    this.lives.keepAliveWhileBusy(this.busy > 0 || this.waiting > 0)
    if (this.idleWaiters.length > 0 && this.isIdle()) {
      for (const resolve of this.idleWaiters.splice(0)) resolve()
    }
  }
}
