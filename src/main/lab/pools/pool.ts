// A pool of thread or process units running named tasks, mirroring Python's executors and multiprocessing.Pool.
// Every task reports submitted / started / finished events with its worker and the CPU time measured inside it.
import type { LabClock } from '../clock'
import type { Outbox } from '../unit-table'
import type { Mode, TaskOrder } from '../units/protocol'
import type { LiveUnit, UnitSpawner } from '../units/spawner'
import { Future } from './future'

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
}

interface Job {
  future: Future
  order: TaskOrder
  submittedAt: number
}

interface PoolWorker {
  unit: LiveUnit
  label: string
  job: Job | null
  retiring: boolean
}

export const POOL_MAX_SIZE = 64

export class PoolError extends Error {}

export class Pool {
  readonly kind: Mode
  readonly name: string
  readonly createdAt: number
  private readonly workers = new Set<PoolWorker>()
  private readonly queue: Job[] = []
  private nextTask = 1
  private nextWorker = 1
  private closed = false
  private idleWaiters: (() => void)[] = []

  constructor(
    private readonly deps: PoolDeps,
    private readonly opts: PoolOptions,
  ) {
    this.kind = opts.kind
    this.name = opts.name
    this.createdAt = deps.clock.now()
    checkSize(opts.size)
    for (let i = 0; i < opts.size; i++) this.addWorker()
  }

  get size(): number {
    return [...this.workers].filter((w) => !w.retiring).length
  }

  /** Unit ids of the current workers. */
  workerIds(): string[] {
    return [...this.workers].map((w) => w.unit.id)
  }

  submit<T = unknown>(name: string, ...args: unknown[]): Future<T> {
    if (this.closed) throw new PoolError(`Pool ${this.name} is shut down: cannot submit ${name}.`)
    const id = this.nextTask++
    const future = new Future<T>(id, name)
    const job: Job = { future: future as Future, order: { t: 'task', id, name, args }, submittedAt: this.deps.clock.now() }
    this.event(job, 'submitted', null)
    this.queue.push(job)
    this.dispatch()
    return future
  }

  /** Results in input order, like Executor.map; `chunksize` groups items into one message per chunk. */
  async map<T = unknown>(name: string, inputs: readonly unknown[], opts: { chunksize?: number } = {}): Promise<T[]> {
    const chunksize = Math.max(1, Math.floor(opts.chunksize ?? 1))
    if (chunksize === 1) return Promise.all(inputs.map((x) => this.submit<T>(name, x).result()))
    const chunks: Future<T[]>[] = []
    for (let i = 0; i < inputs.length; i += chunksize) {
      chunks.push(this.submit<T[]>('pool.chunk', name, inputs.slice(i, i + chunksize)))
    }
    return (await Promise.all(chunks.map((f) => f.result()))).flat()
  }

  /** Like Pool.apply_async: callbacks run in completion order; an error with no errorCallback stays in the future. */
  applyAsync<T = unknown>(
    name: string,
    args: readonly unknown[],
    opts: { callback?: (value: T) => void; errorCallback?: (err: Error) => void } = {},
  ): Future<T> {
    const f = this.submit<T>(name, ...args)
    f.addDoneCallback(async (done) => {
      const err = await done.exception()
      if (err) opts.errorCallback?.(err)
      else opts.callback?.(await done.result())
    })
    return f
  }

  /** Grows at once; shrinks by retiring idle workers first, busy ones after their task. No task is lost. */
  resize(size: number): void {
    checkSize(size)
    if (this.closed) throw new PoolError(`Pool ${this.name} is shut down: cannot resize.`)
    const active = [...this.workers].filter((w) => !w.retiring)
    for (let i = active.length; i < size; i++) this.addWorker()
    const surplus = active.length - size
    if (surplus > 0) {
      const byIdleFirst = active.sort((a, b) => Number(a.job !== null) - Number(b.job !== null))
      for (const w of byIdleFirst.slice(0, surplus)) {
        w.retiring = true
        if (!w.job) void w.unit.host.stop()
      }
    }
    this.deps.outbox.events.push({ type: 'mark', t: this.deps.clock.now(), runId: this.opts.runId, text: `${this.name} resized to ${size}` })
    this.dispatch()
  }

  /** Like Executor.shutdown: optionally cancel what has not started, optionally wait for the rest. */
  async shutdown(opts: { wait?: boolean; cancelFutures?: boolean } = {}): Promise<void> {
    this.closed = true
    if (opts.cancelFutures) for (const job of this.queue.splice(0)) job.future.cancel()
    if (opts.wait ?? true) await this.whenIdle()
    await Promise.all([...this.workers].map((w) => w.unit.host.stop()))
  }

  /** Ends every worker now; unfinished futures fail. */
  async kill(): Promise<void> {
    this.closed = true
    for (const job of this.queue.splice(0)) job.future.reject(new PoolError(`Pool ${this.name} was stopped before task ${job.order.id} ran.`))
    await Promise.all([...this.workers].map((w) => w.unit.host.stop()))
  }

  private whenIdle(): Promise<void> {
    if (this.queue.length === 0 && [...this.workers].every((w) => !w.job)) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private addWorker(): void {
    const n = this.nextWorker++
    const label = `${this.name} / worker ${n}`
    const unit = this.deps.spawner.spawn({ mode: this.kind, label, runId: this.opts.runId })
    const worker: PoolWorker = { unit, label, job: null, retiring: false }
    this.workers.add(worker)
    unit.on('message', (msg) => {
      if (msg.t !== 'taskDone' || !worker.job || worker.job.order.id !== msg.id) return
      const job = worker.job
      worker.job = null
      const t = this.deps.clock.fromAbs(msg.endedAt)
      if (msg.ok) job.future.resolve(msg.value)
      else job.future.reject(new Error(msg.error))
      this.event(job, 'finished', unit.id, { t, ok: msg.ok, error: msg.error, cpuMs: msg.cpuMs ?? undefined })
      if (worker.retiring) void unit.host.stop()
      this.dispatch()
    })
    unit.on('exit', (info) => {
      this.workers.delete(worker)
      const job = worker.job
      if (job) {
        const how = info.signal ? `was killed by ${info.signal}` : info.error ? `crashed: ${info.error}` : `exited with code ${info.code}`
        const error = `Worker "${label}" (pid ${unit.host.pid}) ${how} while running task ${job.order.id} (${job.order.name}).`
        job.future.reject(new PoolError(error))
        this.event(job, 'finished', unit.id, { ok: false, error })
      }
      // A worker lost by accident is replaced so the pool keeps its size.
      if (!worker.retiring && !this.closed) this.addWorker()
      this.dispatch()
    })
    void unit.ready.then(() => this.dispatch())
  }

  private dispatch(): void {
    for (const w of this.workers) {
      if (this.queue.length === 0) break
      if (w.job || w.retiring || !w.unit.isReady || !w.unit.host.alive) continue
      const job = this.queue.shift()!
      if (!job.future.markRunning()) continue
      w.job = job
      w.unit.host.send(job.order)
      this.event(job, 'started', w.unit.id)
    }
    if (this.queue.length === 0 && [...this.workers].every((w) => !w.job)) {
      for (const resolve of this.idleWaiters.splice(0)) resolve()
    }
  }

  private event(
    job: Job,
    phase: 'submitted' | 'started' | 'finished',
    worker: string | null,
    extra: { t?: number; ok?: boolean; error?: string; cpuMs?: number } = {},
  ): void {
    const { t = this.deps.clock.now(), ...rest } = extra
    this.deps.outbox.events.push({ type: 'task', t, runId: this.opts.runId, pool: this.name, task: job.order.id, name: job.order.name, phase, worker, ...rest })
  }
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size > POOL_MAX_SIZE) {
    throw new PoolError(`Pool size must be a whole number from 1 to ${POOL_MAX_SIZE} (got ${size}).`)
  }
}
