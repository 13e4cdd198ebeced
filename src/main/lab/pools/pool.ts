// Pools of thread or process units running named tasks, mirroring Python's executors and multiprocessing.Pool.
// Every task reports submitted / started / finished events with its worker, queue wait and the CPU time measured inside it.
import type { CompareTask } from '../../../shared/compare/types'
import type { TaskEvent } from '../../../shared/model'
import type { LabClock } from '../clock'
import type { Outbox } from '../unit-table'
import type { Mode, TaskOrder, TaskOutcome } from '../units/protocol'
import { TASK_SLOT } from '../units/protocol'
import type { ExitInfo } from '../units/unit-host'
import type { LiveUnit, UnitSpawner } from '../units/spawner'
import type { Transferable } from 'node:worker_threads'
import { Future } from './future'
import { Executor } from './executor'
import { TaskSlots } from './task-slots'

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

/** One task's life on the lab clock (ms); `startedAt` / `endedAt` are measured inside the worker, `lane` is its worker's number (1-based). */
export interface TaskRecord extends CompareTask {
  name: string
  /** Unit id of the worker. */
  worker: string
}

interface Job {
  future: Future
  order: TaskOrder
  submittedAt: number
  transfer?: readonly Transferable[]
  /** Thread pools: its state word while it waits in a worker's inbox. */
  slot: number | null
  startedEmitted: boolean
}

interface PoolWorker {
  unit: LiveUnit
  label: string
  lane: number
  /** Sent to this worker and not answered yet, in the order sent (the first is the one it runs). */
  jobs: Job[]
  /** Slots of tasks taken back from this worker's inbox (task id -> slot), freed once it reports skipping them. */
  tombs: Map<number, number>
  retiring: boolean
}

export const POOL_MAX_SIZE = 64

/** Thread pools send short tasks ahead in batches: this many at most per worker, fewer as tasks get longer. */
const MAX_AHEAD = 64
const AHEAD_BUDGET_MS = 0.5
const SLOT_COUNT = POOL_MAX_SIZE * MAX_AHEAD

/** A worker that dies before it ever says hello this many times in a row means spawning itself is broken. */
const MAX_START_FAILURES = 3

export class PoolError extends Error {}

export class Pool extends Executor {
  readonly kind: Mode
  readonly name: string
  readonly createdAt: number
  private readonly workers = new Set<PoolWorker>()
  private readonly queue: Job[] = []
  /** Jobs already marked running but not yet on a worker: Python's call queue (process pools only). */
  private readonly callQueue: Job[] = []
  private readonly callQueueExtra: number
  private readonly taskEvents: boolean
  private nextTask = 1
  private nextWorker = 1
  private busy = 0
  private closed = false
  private stopping = false
  private startFailures = 0
  private idleWaiters: (() => void)[] = []
  private readonly slots: TaskSlots | null
  /** Moving mean of task run time (ms) measured in the workers: decides how far ahead tasks are sent. */
  private meanRunMs: number | null = null

  constructor(
    private readonly deps: PoolDeps,
    private readonly opts: PoolOptions,
  ) {
    super()
    this.kind = opts.kind
    this.name = opts.name
    this.createdAt = deps.clock.now()
    this.taskEvents = opts.taskEvents ?? true
    // ProcessPoolExecutor marks up to max_workers + 1 items running (its call queue); ThreadPoolExecutor only what a thread took.
    this.callQueueExtra = opts.kind === 'process' ? 1 : 0
    this.slots = opts.kind === 'thread' ? new TaskSlots(SLOT_COUNT) : null
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
    if (this.taskEvents) this.event(job, 'submitted', null, job.submittedAt)
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
    for (const job of this.callQueue.splice(0)) job.future.reject(new PoolError(`Pool ${this.name} was stopped before task ${job.order.id} (${job.order.name}) reached a worker.`))
    await Promise.all([...this.workers].map((w) => w.unit.host.stop()))
  }

  private whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.callQueue.length === 0 && this.busy === 0
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
        if (this.slots) unit.host.send({ t: 'slots', buffer: this.slots.buffer })
      }
      this.dispatch()
    })
  }

  /** A task's outcome came back from its worker (in the order the worker got them). */
  private settle(w: PoolWorker, o: TaskOutcome): void {
    // A task taken back from this worker: it skipped the old copy (a later copy may be back in its inbox; a worker
    // reports in the order it was sent, so the first skip of that id is the old copy's).
    const tomb = o.skipped ? w.tombs.get(o.id) : undefined
    if (tomb !== undefined) {
      w.tombs.delete(o.id)
      this.slots?.release(tomb)
      return
    }
    const at = w.jobs.findIndex((j) => j.order.id === o.id)
    if (at < 0) return
    const [job] = w.jobs.splice(at, 1)
    this.busy--
    this.leaveInbox(job)
    // Cancelled while it waited in the worker's inbox: its future is already done.
    if (o.skipped) return
    const { clock } = this.deps
    const startedAt = clock.fromAbs(o.startedAt)
    const endedAt = clock.fromAbs(o.endedAt)
    const run = endedAt - startedAt
    // Quick to rise, slow to fall: a longer task at once sends fewer ahead.
    this.meanRunMs = this.meanRunMs === null || run > this.meanRunMs ? run : this.meanRunMs * 0.9 + run * 0.1
    if (o.ok) job.future.resolve(o.value)
    else job.future.reject(new Error(o.error))
    if (this.taskEvents) {
      if (!job.startedEmitted) this.event(job, 'started', w.unit.id, startedAt)
      this.event(job, 'finished', w.unit.id, endedAt, {
        ok: o.ok,
        error: o.error,
        cpuMs: o.cpuMs ?? undefined,
        queueMs: startedAt - job.submittedAt,
        call: callText(job.order.name, job.order.args),
        value: o.ok ? shortText(o.value) : undefined,
      })
    }
    this.opts.onRecord?.({ id: job.order.id, name: job.order.name, worker: w.unit.id, lane: w.lane, submittedAt: job.submittedAt, startedAt, endedAt, doneAt: clock.now(), cpuMs: o.cpuMs, ok: o.ok })
  }

  private leaveInbox(job: Job): void {
    if (job.slot === null || !this.slots) return
    this.slots.release(job.slot)
    job.slot = null
    job.order.slot = undefined
    job.future.useSlot(null)
  }

  /** A worker died: the task it was running fails, naming it; tasks still waiting in its inbox go back to the queue. */
  private lost(w: PoolWorker, info: ExitInfo): void {
    const jobs = w.jobs.splice(0)
    this.busy -= jobs.length
    const slots = this.slots
    for (const tomb of w.tombs.values()) slots?.release(tomb)
    w.tombs.clear()
    // A thread pool knows which task had started (its slot says RUNNING); a process runs the first it was sent.
    const runningAt = slots ? jobs.findIndex((j) => j.slot !== null && slots.state(j.slot) === TASK_SLOT.RUNNING) : jobs.length > 0 ? 0 : -1
    const back: Job[] = []
    jobs.forEach((job, i) => {
      const cancelled = job.slot !== null && slots?.state(job.slot) === TASK_SLOT.CANCELLED
      this.leaveInbox(job)
      if (cancelled) return
      if (i !== runningAt && !this.stopping) return void back.push(job)
      const { unit, label } = w
      const who = `Worker "${label}" (${unit.host.mode === 'thread' ? `thread in pid ${unit.host.pid}` : `pid ${unit.host.pid}`})`
      const how = info.signal ? `was killed by ${info.signal}` : info.error ? `crashed (exit code ${info.code}): ${info.error}` : `exited with code ${info.code}`
      const error = this.stopping ? `Pool ${this.name} was stopped while task ${job.order.id} (${job.order.name}) was on ${label}.` : `${who} ${how} while running task ${job.order.id} (${job.order.name}).`
      job.future.reject(new PoolError(error))
      if (this.taskEvents) this.event(job, 'finished', unit.id, this.deps.clock.now(), { ok: false, error })
    })
    this.queue.unshift(...back)
  }

  private failAll(reason: string): void {
    this.closed = true
    for (const job of [...this.queue.splice(0), ...this.callQueue.splice(0)]) job.future.reject(new PoolError(reason))
  }

  /**
   * How many tasks a thread worker may hold: what a worker holds is work no idle worker can take, so keep it under
   * AHEAD_BUDGET_MS of run time (64 trivial tasks, one 1 ms task) and never more than a fair share of what is left.
   */
  private aheadLimit(): number {
    const m = this.meanRunMs
    const byCost = m === null ? 1 : Math.min(MAX_AHEAD, Math.floor(AHEAD_BUDGET_MS / Math.max(m, 1e-3)))
    const fair = Math.ceil((this.queue.length + this.busy) / Math.max(1, this.size))
    return Math.max(1, Math.min(byCost, fair))
  }

  /** Hands a worker what it may take: a process one job (from the call queue first), a thread a batch sent ahead. */
  private feed(w: PoolWorker): boolean {
    if (w.retiring || !w.unit.isReady || !w.unit.host.alive) return false
    if (!this.slots) {
      if (w.jobs.length > 0) return false
      let job = this.callQueue.shift()
      while (!job && this.queue.length > 0) {
        const next = this.queue.shift()!
        if (next.future.markRunning()) job = next
      }
      if (!job) return false
      this.put(w, job)
      w.unit.host.send(job.order)
      return true
    }
    const room = this.aheadLimit() - w.jobs.length
    const orders: TaskOrder[] = []
    const transfer: Transferable[] = []
    const source = this.queue.length === 0 && w.jobs.length === 0 ? this.steal(w) : this.queue
    while (orders.length < room && source.length > 0) {
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
      this.put(w, job)
      orders.push(job.order)
      if (job.transfer) transfer.push(...job.transfer)
    }
    // Stolen tasks beyond this worker's room wait at the head of the queue.
    if (source !== this.queue) this.queue.unshift(...source)
    if (orders.length === 0) return false
    w.unit.host.send({ t: 'tasks', orders }, transfer.length > 0 ? transfer : undefined)
    return true
  }

  /**
   * An idle thread worker takes half the tasks waiting in the fullest other inbox (from its end). The compare-and-swap
   * that cancels a task's old slot also proves its worker had not started it; that worker then skips it.
   */
  private steal(thief: PoolWorker): Job[] {
    const slots = this.slots!
    let victim: PoolWorker | null = null
    for (const w of this.workers) if (w !== thief && w.jobs.length > 1 && (!victim || w.jobs.length > victim.jobs.length)) victim = w
    if (!victim) return []
    const taken: Job[] = []
    const want = Math.max(1, Math.floor((victim.jobs.length - 1) / 2))
    for (let i = victim.jobs.length - 1; i >= 1 && taken.length < want; i--) {
      const job = victim.jobs[i]
      // Transferred buffers already left for the other worker: those tasks stay where they are.
      if (job.slot === null || job.transfer || Atomics.compareExchange(slots.states, job.slot, TASK_SLOT.PENDING, TASK_SLOT.CANCELLED) !== TASK_SLOT.PENDING) continue
      victim.tombs.set(job.order.id, job.slot)
      victim.jobs.splice(i, 1)
      this.busy--
      job.slot = null
      job.order.slot = undefined
      job.future.useSlot(null)
      taken.unshift(job)
    }
    return taken
  }

  private put(w: PoolWorker, job: Job): void {
    // The first job of an idle worker starts at once; later ones report their start when they finish.
    if (this.taskEvents && w.jobs.length === 0) {
      job.startedEmitted = true
      this.event(job, 'started', w.unit.id, this.deps.clock.now())
    }
    w.jobs.push(job)
    this.busy++
  }

  private dispatch(): void {
    if (this.queue.length > 0 || this.callQueue.length > 0) {
      for (const w of this.workers) {
        this.feed(w)
        if (this.queue.length === 0 && this.callQueue.length === 0) break
      }
      // Python's call queue: up to size + 1 items count as running before a worker takes them.
      while (this.callQueueExtra > 0 && this.queue.length > 0 && this.busy + this.callQueue.length < this.size + this.callQueueExtra) {
        const job = this.queue.shift()!
        if (job.future.markRunning()) this.callQueue.push(job)
      }
    }
    if (this.idleWaiters.length > 0 && this.isIdle()) {
      for (const resolve of this.idleWaiters.splice(0)) resolve()
    }
  }

  private event(
    job: Job,
    phase: 'submitted' | 'started' | 'finished',
    worker: string | null,
    t: number,
    extra?: { ok?: boolean; error?: string; cpuMs?: number; queueMs?: number; call?: string; value?: string },
  ): void {
    const e: TaskEvent = { type: 'task', t, runId: this.opts.runId, pool: this.name, task: job.order.id, name: job.order.name, phase, worker }
    if (extra) for (const [k, v] of Object.entries(extra)) if (v !== undefined) Object.assign(e, { [k]: v })
    this.deps.outbox.events.push(e)
  }
}

export interface KindPoolOptions {
  size: number
  name?: string
  runId?: string | null
  taskEvents?: boolean
  onRecord?: (record: TaskRecord) => void
}

/** Worker threads: a future is running once a worker took it; ArrayBuffers can be transferred. */
export class ThreadPool extends Pool {
  constructor(deps: PoolDeps, opts: KindPoolOptions) {
    super(deps, { ...opts, kind: 'thread', name: opts.name ?? 'thread pool', runId: opts.runId ?? null })
  }
}

/** Forked child processes: like ProcessPoolExecutor, up to size + 1 futures count as running (its call queue). */
export class ProcessPool extends Pool {
  constructor(deps: PoolDeps, opts: KindPoolOptions) {
    super(deps, { ...opts, kind: 'process', name: opts.name ?? 'process pool', runId: opts.runId ?? null })
  }
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size > POOL_MAX_SIZE) {
    throw new PoolError(`Pool size must be a whole number from 1 to ${POOL_MAX_SIZE} (got ${size}).`)
  }
}

/** A value as a short text for the timeline's hover: "49", "[1,2]", "\"Completed task1!\"". */
function shortText(value: unknown, limit = 40): string {
  let text: string
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value))
  } catch {
    text = String(value)
  }
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`
}

/** "pool-async.square" with [7, 20] -> "square(7, 20)"; a map chunk shows its items. */
function callText(name: string, args: readonly unknown[]): string {
  const short = name.slice(name.lastIndexOf('.') + 1)
  return `${short}(${args.map((a) => shortText(a, 24)).join(', ')})`
}
