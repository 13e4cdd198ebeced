// One scenario run: the units and pools it spawned, its locks, arrays and queues, and its end.
import { LabError } from '../../shared/contract'
import type { RunInfo } from '../../shared/model'
import type { ParamValues } from '../../shared/params'
import type { LabClock } from './clock'
import type { ProgramTracker } from './programs/program-tracker'
import type { ProgramTree } from './programs/program-tree'
import { Pool } from './pools/pool'
import { RunJournal } from './run-journal'
import { Comparison } from './compare/comparison'
import { validateCompareRequest, type CompareRequest, type CompareResult } from '../../shared/compare/types'
import type {
  ProgramOptions,
  ProgramOutcome,
  RunContext,
  ScenarioDefinition,
  SpawnedUnit,
  SpawnOptions,
} from './scenario-api'
import { FifoQueue } from './sync/fifo-queue'
import { LockBroker } from './sync/lock-broker'
import { AtomicsMutex } from './sync/mutex'
import { brokerSharedInts, threadSharedInts, type SharedIntsHandle } from './sync/shared-ints'
import type { Outbox } from './unit-table'
import {
  FLAG_INDEX,
  FLAG_SLOTS,
  type BrokerOp,
  type FlagsMessage,
  type FromHost,
  type Mode,
  type ThreadHandles,
} from './units/protocol'
import type { LiveUnit, UnitSpawner } from './units/spawner'

export interface RunDeps {
  clock: LabClock
  outbox: Outbox
  spawner: UnitSpawner
  /** Runs external programs (absent in labs that cannot). */
  programs?: ProgramTracker
}

export class Run implements RunContext {
  readonly info: RunInfo
  private readonly abort = new AbortController()
  private readonly live = new Map<string, LiveUnit>()
  private readonly pools: Pool[] = []
  private readonly programTrees = new Set<ProgramTree>()
  private readonly broker = new LockBroker()
  private readonly threadLocks: Record<string, SharedArrayBuffer> = {}
  private readonly arrays = new Map<string, SharedIntsHandle>()
  private readonly queues = new Map<string, FifoQueue<unknown>>()
  private readonly flagsBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * FLAG_SLOTS)
  private readonly flags: Record<string, boolean> = {}
  /** Its log, events and state changes, for a window that connects later. */
  readonly journal: RunJournal
  /** Settles when run() has returned and every unit has ended. */
  readonly finished: Promise<RunInfo>

  constructor(
    private readonly deps: RunDeps,
    readonly def: ScenarioDefinition,
    params: ParamValues,
    id: string,
    /** Slow motion: every sleep of the run's units lasts this many times longer. */
    readonly timeScale = 1,
  ) {
    this.journal = new RunJournal(id)
    this.info = {
      id,
      scenario: def.id,
      params,
      startedAt: deps.clock.now(),
      endedAt: null,
      status: 'running',
      lock: typeof params.lock === 'boolean' ? params.lock : null,
      poolSize: null,
      result: null,
      error: null,
      ...(timeScale === 1 ? {} : { timeScale }),
    }
    if (this.info.lock !== null) this.setFlag('lock', this.info.lock)
    this.pushRunEvent()
    this.finished = this.execute(params)
  }

  get runId(): string {
    return this.info.id
  }

  get signal(): AbortSignal {
    return this.abort.signal
  }

  private async execute(params: ParamValues): Promise<RunInfo> {
    try {
      const result = await this.def.run(this, params)
      if (this.info.status === 'running') {
        this.info.status = 'done'
        this.info.result = result
      }
    } catch (err) {
      if (this.info.status === 'running') {
        this.info.status = 'failed'
        this.info.error = err instanceof Error ? err.message : String(err)
      }
    }
    await this.teardown()
    this.info.endedAt = this.deps.clock.now()
    this.pushRunEvent()
    return this.info
  }

  private pushRunEvent(): void {
    this.deps.outbox.events.push({ type: 'run', t: this.deps.clock.now(), run: { ...this.info } })
  }

  private async teardown(): Promise<void> {
    await Promise.all([...this.live.values()].map((u) => u.host.stop()))
    await Promise.all(this.pools.map((p) => p.kill()))
    await Promise.all([...this.programTrees].map((t) => this.deps.programs?.stop(t)))
    for (const q of this.queues.values()) q.close()
  }

  /** Stops every unit and pool of the run; the run ends as "stopped". */
  async stop(): Promise<RunInfo> {
    if (this.info.status === 'running') {
      this.info.status = 'stopped'
      this.info.error = 'Stopped by the user.'
      this.abort.abort()
      await this.teardown()
    }
    return this.finished
  }

  /** Sets or clears the run's warning (a possible deadlock); the window hears of it with the run's next event. */
  warn(text: string | null, units: string[] = []): void {
    if ((this.info.warning ?? null) === text) return
    this.info.warning = text
    this.info.warningUnits = units
    this.pushRunEvent()
  }

  /** The live Lock toggle. */
  setLock(on: boolean): void {
    this.info.lock = on
    this.setFlag('lock', on)
    this.mark(on ? 'lock on' : 'lock off')
  }

  resizePool(size: number): void {
    const pool = this.pools[0]
    if (!pool) throw new LabError('conflict', `Run ${this.info.id} (${this.def.id}) has no pool to resize.`, 'size')
    pool.resize(size)
    this.info.poolSize = size
    this.pushRunEvent()
  }

  // RunContext

  log(text: string): void {
    this.deps.outbox.logs.push({ t: this.deps.clock.now(), unit: null, runId: this.info.id, text, stream: 'out' })
  }

  mark(text: string): void {
    this.deps.outbox.events.push({ type: 'mark', t: this.deps.clock.now(), runId: this.info.id, text })
  }

  lock(name: string, mode: Mode): void {
    if (mode === 'thread') this.threadLocks[name] ??= AtomicsMutex.createBuffer()
  }

  sharedInts(name: string, values: readonly number[], mode: Mode): SharedIntsHandle {
    const handle = mode === 'thread' ? threadSharedInts(values) : brokerSharedInts(values)
    this.arrays.set(name, handle)
    return handle
  }

  queue<T>(name: string, items: Iterable<T> = []): FifoQueue<T> {
    const q = new FifoQueue<T>(items)
    this.queues.set(name, q as FifoQueue<unknown>)
    return q
  }

  pool(opts: { kind: Mode; size: number; name?: string }): Pool {
    const pool = new Pool(this.deps, {
      kind: opts.kind,
      size: opts.size,
      name: opts.name ?? `${this.def.id} ${opts.kind} pool`,
      runId: this.info.id,
      // A scenario shows its whole pool from the start (as multiprocessing.Pool does), and measures its start-up.
      start: 'eager',
      timeScale: this.timeScale,
    })
    this.pools.push(pool)
    if (this.pools.length === 1) {
      this.info.poolSize = opts.size
      this.pushRunEvent()
    }
    return pool
  }

  async compare(req: CompareRequest): Promise<CompareResult> {
    // A scenario's request meets the same limits as one from a person.
    const valid = validateCompareRequest(req)
    if (!valid.ok) throw LabError.invalid(valid.errors)
    const comparison = new Comparison(`${this.info.id}.compare`, req, { deps: this.deps, runId: this.info.id })
    const cancel = (): void => comparison.cancel()
    this.abort.signal.addEventListener('abort', cancel, { once: true })
    try {
      return await comparison.run()
    } finally {
      this.abort.signal.removeEventListener('abort', cancel)
    }
  }

  /** Sets a live switch every unit of the run reads (e.g. "lock"): shared memory for threads, a message for processes. */
  private setFlag(name: string, on: boolean): void {
    this.flags[name] = on
    const index = FLAG_INDEX[name]
    if (index !== undefined) Atomics.store(new Int32Array(this.flagsBuffer), index, on ? 1 : 0)
    const message: FlagsMessage = { t: 'flags', flags: { [name]: on } }
    for (const u of this.live.values()) if (u.host.mode === 'process') u.host.send(message)
    for (const t of this.programTrees) t.host.send(message)
  }

  async program(opts: ProgramOptions): Promise<ProgramOutcome> {
    if (this.abort.signal.aborted) throw new LabError('conflict', 'The run was stopped.')
    if (!this.deps.programs) throw new LabError('conflict', 'This lab cannot run external programs.')
    // A Python scenario's time.sleep reads the scale (labevents.py); other programs ignore it.
    const env = this.timeScale === 1 ? opts.env : { ...opts.env, PARALLEL_LAB_TIME_SCALE: String(this.timeScale) }
    const tree = this.deps.programs.start({
      ...opts,
      env,
      label: `${this.def.id} / ${opts.label}`,
      runId: this.info.id,
    })
    this.programTrees.add(tree)
    const exit = await tree.host.exited
    if (exit.error) throw new LabError('failed', exit.error)
    // What the program left behind (children, reparented or setsid ones) is still its own: the run lasts until the
    // last of them has ended, or until it is stopped.
    await Promise.race([
      tree.drained,
      new Promise((resolve) => this.abort.signal.addEventListener('abort', resolve, { once: true })),
    ])
    return {
      unitId: tree.rootId,
      pid: tree.host.pid,
      exitCode: exit.code,
      signal: exit.signal,
      result: tree.result,
      stderrTail: tree.stderrTail,
    }
  }

  spawn(opts: SpawnOptions): SpawnedUnit {
    if (this.abort.signal.aborted) throw new LabError('conflict', 'The run was stopped.')
    const unit = this.deps.spawner.spawn({
      mode: opts.mode,
      label: `${this.def.id} / ${opts.label}`,
      runId: this.info.id,
    })
    this.live.set(unit.id, unit)
    let value: unknown
    let finishedOk = false
    unit.on('message', (msg) => this.onMessage(unit, msg, (v) => ((value = v), (finishedOk = true))))
    this.startTogether(unit, () => {
      const handles: ThreadHandles =
        opts.mode === 'thread'
          ? { locks: this.threadLocks, arrays: this.threadArrays(), flags: this.flagsBuffer }
          : { locks: {}, arrays: {}, flags: null }
      unit.host.send({
        t: 'run',
        call: `${this.def.id}.${opts.worker}`,
        args: opts.args ?? null,
        unitId: unit.id,
        label: opts.label,
        mode: opts.mode,
        handles,
        flags: { ...this.flags },
        timeScale: this.timeScale,
      })
    })
    const done = new Promise<unknown>((resolve, reject) => {
      unit.on('exit', (info) => {
        this.live.delete(unit.id)
        this.broker.forget(unit.id)
        if (finishedOk) return resolve(value)
        const who = `${opts.label} (pid ${unit.host.pid})`
        if (info.signal) reject(new LabError('failed', `${who} was killed by ${info.signal}.`))
        else if (info.killedByLab) reject(new LabError('failed', `${who} was ended by the lab.`))
        else
          reject(
            new LabError('failed', `${who} crashed: ${unit.failureReason ?? info.error ?? `exit code ${info.code}`}.`),
          )
      })
    })
    done.catch(() => undefined)
    return { id: unit.id, done }
  }

  private batch: { unit: LiveUnit; go: () => void }[] | null = null

  /**
   * Units spawned in the same turn start their work together, once every one of them is up, as threads
   * created and then started in a loop do: otherwise a fast-starting unit could finish before a slow one began.
   */
  private startTogether(unit: LiveUnit, go: () => void): void {
    if (!this.batch) {
      const batch: { unit: LiveUnit; go: () => void }[] = (this.batch = [])
      queueMicrotask(() => {
        this.batch = null
        void Promise.all(batch.map((b) => b.unit.startSettled)).then(() => {
          for (const b of batch) if (b.unit.host.alive) b.go()
        })
      })
    }
    this.batch.push({ unit, go })
  }

  private threadArrays(): Record<string, SharedArrayBuffer> {
    const out: Record<string, SharedArrayBuffer> = {}
    for (const [name, h] of this.arrays) if (h.buffer) out[name] = h.buffer
    return out
  }

  private onMessage(unit: LiveUnit, msg: FromHost, onDone: (value: unknown) => void): void {
    if (msg.t === 'done') onDone(msg.value)
    else if (msg.t === 'fail') unit.fail(msg.error)
    else if (msg.t === 'req') {
      this.serve(unit.id, msg.req).then(
        (value) => unit.host.send({ t: 'reply', id: msg.id, ok: true, value }),
        (err: Error) => unit.host.send({ t: 'reply', id: msg.id, ok: false, error: err.message }),
      )
    }
  }

  /** The broker: what process units (and thread units, for queues) ask the lab to do for them. */
  private async serve(unitId: string, req: BrokerOp): Promise<unknown> {
    switch (req.op) {
      case 'lock.acquire':
        return this.broker.acquire(req.name, unitId)
      case 'lock.release':
        return this.broker.release(req.name, unitId)
      case 'array.get':
        return this.namedArray(req.name).get(req.index)
      case 'array.set':
        return this.namedArray(req.name).set(req.index, req.value)
      case 'queue.get':
        return this.namedQueue(req.name).get(unitId, req.block)
      case 'queue.put':
        return this.namedQueue(req.name).put(req.value)
    }
  }

  private namedArray(name: string): SharedIntsHandle {
    const a = this.arrays.get(name)
    if (!a) throw new LabError('not-found', `No shared array named "${name}" in this run.`)
    return a
  }

  private namedQueue(name: string): FifoQueue<unknown> {
    const q = this.queues.get(name)
    if (!q) throw new LabError('not-found', `No queue named "${name}" in this run.`)
    return q
  }
}
