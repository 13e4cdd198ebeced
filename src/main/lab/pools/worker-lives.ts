// When a pool's workers start and end: on demand (a task that finds no idle worker starts one, as ThreadPoolExecutor
// does) or all at once; their set-up (a user's module, an initializer); retiring after maxTasksPerChild; keeping the
// program alive only while they have work; and telling kills from outside (survived) from broken spawning (gives up).
import { existsSync } from 'node:fs'
import { isAbsolute } from 'node:path'
import type { Mode, TaskOutcome } from '../units/protocol'
import type { UnitSpawner } from '../units/spawner'
import type { ExitInfo } from '../units/unit-host'
import type { PoolWorker } from './dispatch'
import { PoolError } from './errors'
import { deserializeError } from './remote-error'
import { POOL_MAX_SIZE } from './thread-dispatch'

/** How a pool's workers start and what they load. */
export interface PoolSetup {
  /** 'on-demand' (default): a worker starts when a task finds none idle, as ThreadPoolExecutor; 'eager': all at once, as multiprocessing.Pool. */
  start?: 'on-demand' | 'eager'
  /** Absolute path of a module whose named exports are the tasks (default: the lab's registered tasks). */
  module?: string | null
  /** A task name run once in each worker before its first task, with `initargs`; if it throws, the pool is broken. */
  initializer?: string | null
  initargs?: unknown[]
  /** A worker is replaced by a fresh one after this many tasks. */
  maxTasksPerChild?: number | null
  /** Slow motion: the tasks' `sleep` (scenario-api) lasts this many times longer in every worker (default 1). */
  timeScale?: number
}

export function checkPoolOptions(opts: PoolSetup & { size: number; kind: Mode }): void {
  const bad = (field: string, message: string): never => {
    throw new PoolError(`${field}: ${message}`)
  }
  if (opts.kind !== 'thread' && opts.kind !== 'process')
    bad('kind', `must be "thread" or "process" (got ${String(opts.kind)}).`)
  if (!Number.isInteger(opts.size) || opts.size < 1 || opts.size > POOL_MAX_SIZE)
    bad('size', `Pool size must be a whole number from 1 to ${POOL_MAX_SIZE} (got ${String(opts.size)}).`)
  if (opts.start !== undefined && opts.start !== 'on-demand' && opts.start !== 'eager')
    bad('start', `must be "on-demand" or "eager" (got ${String(opts.start)}).`)
  if (opts.module !== undefined && opts.module !== null) {
    if (typeof opts.module !== 'string' || !isAbsolute(opts.module))
      bad('filename', `must be a path to a module file (got ${String(opts.module)}).`)
    if (!existsSync(opts.module)) bad('filename', `no module file at ${opts.module}.`)
  }
  if (
    opts.initializer !== undefined &&
    opts.initializer !== null &&
    (typeof opts.initializer !== 'string' || opts.initializer === '')
  )
    bad('initializer', 'must be the name of a task (an export of the module).')
  if (opts.initargs !== undefined && !Array.isArray(opts.initargs)) bad('initargs', 'must be an array of arguments.')
  const max = opts.maxTasksPerChild
  if (max !== undefined && max !== null && (!Number.isInteger(max) || max < 1))
    bad('maxTasksPerChild', `must be a whole number >= 1 (got ${String(max)}).`)
  const scale = opts.timeScale
  if (scale !== undefined && (typeof scale !== 'number' || !Number.isFinite(scale) || scale < 1))
    bad('timeScale', `must be a number >= 1 (got ${String(scale)}).`)
}

/** A worker that exits before it is up this many times in a row (not killed from outside) means spawning is broken. */
const MAX_START_FAILURES = 3

export interface LifeHooks {
  message(w: PoolWorker, o: TaskOutcome): void
  /** A process worker started the first task of a message. */
  started(w: PoolWorker, taskId: number): void
  ready(w: PoolWorker): void
  lost(w: PoolWorker, info: ExitInfo): void
  broken(err: PoolError): void
  changed(): void
  closed(): boolean
}

export class WorkerLives {
  private nextLane = 1
  private startFailures = 0
  private startKills = 0
  /** After starting workers were killed from outside, new ones wait a little (growing), so a killer never makes a hot loop. */
  private holdUntil = 0
  private holdTimer: NodeJS.Timeout | null = null
  private readonly up = new Map<PoolWorker, Promise<void>>()

  constructor(
    private readonly pool: {
      readonly workers: Set<PoolWorker>
      readonly name: string
      readonly kind: Mode
      readonly runId?: string | null
    },
    private readonly spawner: UnitSpawner,
    private readonly setup: PoolSetup & { runId: string | null; maxTasksPerChild?: number | null },
    private readonly hooks: LifeHooks,
  ) {}

  private active(): PoolWorker[] {
    return [...this.pool.workers].filter((w) => !w.retiring)
  }

  /** Starts workers until `size` are active. */
  grow(size: number): void {
    for (let n = this.active().length; n < size && this.mayStart(); n++) this.add()
  }

  /** Starts a worker for each waiting task that no starting worker will take, up to `size`. */
  startForWaiting(size: number, waiting: number): void {
    // Called on every submit: count without allocating.
    let active = 0
    let starting = 0
    for (const w of this.pool.workers) {
      if (w.retiring) continue
      active++
      if (!w.ready) starting++
    }
    for (let n = active; n < size && starting < waiting && this.mayStart(); n++, starting++) this.add()
  }

  /** Retires the surplus, idle workers first; a busy one leaves after its tasks. */
  shrink(size: number): void {
    const active = this.active().sort((a, b) => a.jobs.length - b.jobs.length)
    for (const w of active.slice(0, Math.max(0, active.length - size))) this.retire(w)
  }

  /** Workers that ran their maxTasksPerChild leave once their last task is answered. */
  retireSpent(): void {
    const max = this.setup.maxTasksPerChild
    if (!max) return
    for (const w of this.pool.workers) if (!w.retiring && w.sent >= max && w.jobs.length === 0) this.retire(w)
  }

  /**
   * Workers keep the program alive while the pool has work (held or waiting) and while they start; an idle pool's do
   * not. Per pool, not per task: switching a child's handles on every answer delayed its messages.
   */
  keepAliveWhileBusy(poolBusy: boolean): void {
    for (const w of this.pool.workers) {
      const keep = poolBusy || !w.ready
      if (w.kept === keep || !w.unit.host.alive) continue
      w.kept = keep
      w.unit.host.keepAlive(keep)
    }
  }

  /** Resolves once the worker is up (hello and set-up done) or gone. */
  whenReady(w: PoolWorker): Promise<void> {
    return this.up.get(w) ?? Promise.resolve()
  }

  private retire(w: PoolWorker): void {
    w.retiring = true
    if (w.jobs.length === 0) void w.unit.host.stop()
  }

  private mayStart(): boolean {
    if (this.hooks.closed()) return false
    const wait = this.holdUntil - performance.now()
    if (wait <= 0) return true
    this.holdTimer ??= setTimeout(() => {
      this.holdTimer = null
      this.hooks.changed()
    }, wait)
    return false
  }

  private add(): void {
    const lane = this.nextLane++
    const label = `${this.pool.name} / worker ${lane}`
    let unit
    try {
      unit = this.spawner.spawn({ mode: this.pool.kind, label, runId: this.setup.runId })
    } catch (err) {
      this.hooks.broken(
        new PoolError(`Pool ${this.pool.name} cannot start a worker: ${(err as Error).message}`, { cause: err }),
      )
      return
    }
    const w: PoolWorker = {
      unit,
      label,
      lane,
      jobs: [],
      tombs: new Map(),
      retiring: false,
      ready: false,
      sent: 0,
      kept: null,
    }
    this.pool.workers.add(w)
    let markUp!: () => void
    this.up.set(w, new Promise((resolve) => (markUp = resolve)))
    const becameReady = (): void => {
      w.ready = true
      this.startFailures = 0
      this.startKills = 0
      markUp()
      this.hooks.changed()
    }
    unit.on('message', (msg) => {
      if (msg.t === 'tasksDone') for (const o of msg.outcomes) this.hooks.message(w, o)
      else if (msg.t === 'started') return this.hooks.started(w, msg.id)
      else if (msg.t === 'initDone') return becameReady()
      else if (msg.t === 'initFailed') {
        const cause = deserializeError(msg.error)
        const what =
          this.setup.module && !w.ready
            ? `loading ${this.setup.module}${this.setup.initializer ? ` or its initializer ${this.setup.initializer}` : ''}`
            : `the initializer ${this.setup.initializer}`
        return this.hooks.broken(
          new PoolError(
            `Pool ${this.pool.name} is broken: ${what} failed in ${label}: ${cause.name}: ${cause.message}`,
            { cause },
          ),
        )
      } else return
      if (w.retiring && w.jobs.length === 0) void unit.host.stop()
      this.hooks.changed()
    })
    unit.on('exit', (info) => {
      this.pool.workers.delete(w)
      this.up.delete(w)
      markUp()
      this.hooks.lost(w, info)
      if (!w.ready) this.startFailed(info)
      this.hooks.changed()
    })
    void unit.startSettled.then(() => {
      if (!unit.isReady) return
      // Before any task: messages to a worker arrive in order.
      const scale = this.setup.timeScale ?? 1
      if (scale !== 1) unit.host.send({ t: 'timeScale', scale })
      this.hooks.ready(w)
      const { module, initializer } = this.setup
      if (module || initializer)
        unit.host.send({
          t: 'init',
          module: module ?? null,
          initializer: initializer ?? null,
          initargs: this.setup.initargs ?? [],
        })
      else becameReady()
    })
  }

  /** A worker exited before it was up: killed from outside (a signal, or the lab's kill), or spawning is broken. */
  private startFailed(info: ExitInfo): void {
    if (this.hooks.closed()) return
    if (info.signal || info.killedByLab) {
      this.startKills++
      this.holdUntil = performance.now() + Math.min(1000, 10 * 2 ** (this.startKills - 1))
      return
    }
    if (++this.startFailures >= MAX_START_FAILURES) {
      this.hooks.broken(
        new PoolError(
          `Pool ${this.pool.name} cannot start workers: ${MAX_START_FAILURES} in a row exited before starting (last: ${info.error ?? `exit code ${info.code}`}).`,
        ),
      )
    }
  }
}
