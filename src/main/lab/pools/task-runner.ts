// Inside a pool worker: runs the tasks it is sent one at a time, in order, timing each and reading its CPU, and reports
// outcomes. Tasks come in batches and are answered in batches; each starts only if its shared slot says nobody cancelled it.
import type { CpuClock } from '../sampling/self'
import type { FromHost, TaskOrder, TaskOutcome } from '../units/protocol'
import { absNow, TASK_SLOT } from '../units/protocol'
import { serializeError } from './remote-error'

type AnyFn = (...args: unknown[]) => unknown

/** Outcomes held back at most this long, or this many, before a batch reply goes out. */
const FLUSH_MS = 2
const MAX_BATCH = 256

export interface TaskRunner {
  /** Orders that came in one message; their outcomes may share replies. */
  run(orders: readonly TaskOrder[], ack?: boolean): void
  useSlots(buffer: SharedArrayBuffer): void
  /** Tasks wait until `ready` settles (a user's module loading, an initializer running). */
  holdUntil(ready: Promise<unknown>): void
}

export function createTaskRunner(opts: {
  send: (msg: FromHost) => void
  find: (name: string) => AnyFn
  cpuClock: CpuClock
}): TaskRunner {
  const { send, cpuClock } = opts
  const fns = new Map<string, AnyFn>()
  const queue: { order: TaskOrder; ack?: boolean }[] = []
  const unsent: TaskOutcome[] = []
  let firstUnsentAt = 0
  let running = false
  let held: Promise<unknown> | null = null
  let slots: Int32Array | null = null
  // One CPU reading per task: the reading at the end of a task is the start of the next. Between them the unit only
  // replies and receives, which is thus counted in the next task: cheap enough for 20,000 tasks/s.
  let cpuMark = cpuClock()

  const flush = (): void => {
    if (unsent.length > 0) send({ t: 'tasksDone', outcomes: unsent.splice(0) })
  }

  function report(outcome: TaskOutcome): void {
    if (unsent.length === 0) firstUnsentAt = outcome.endedAt
    unsent.push(outcome)
    if (queue.length === 0 || unsent.length >= MAX_BATCH || outcome.endedAt - firstUnsentAt >= FLUSH_MS) flush()
  }

  function finish(order: TaskOrder, startedAt: number, cpu0: number | null, ok: boolean, result: unknown): void {
    const endedAt = absNow()
    const cpu1 = cpuClock()
    cpuMark = cpu1
    const cpuMs = cpu1 === null || cpu0 === null ? null : cpu1 - cpu0
    report(
      ok
        ? { id: order.id, ok, value: result, startedAt, endedAt, cpuMs }
        : { id: order.id, ok, error: serializeError(result), startedAt, endedAt, cpuMs },
    )
  }

  /** Runs one task; true if it went async (its promise carries on with the queue when it settles). */
  function start(order: TaskOrder, ack?: boolean): boolean {
    if (ack) send({ t: 'started', id: order.id })
    const startedAt = absNow()
    if (
      order.slot !== undefined &&
      slots &&
      Atomics.compareExchange(slots, order.slot, TASK_SLOT.PENDING, TASK_SLOT.RUNNING) !== TASK_SLOT.PENDING
    ) {
      report({ id: order.id, ok: false, skipped: true, startedAt, endedAt: startedAt, cpuMs: null })
      return false
    }
    // Nothing already finished waits behind a task that may take long.
    if (unsent.length > 0 && startedAt - firstUnsentAt >= FLUSH_MS) flush()
    const cpu0 = cpuMark
    let value: unknown
    try {
      let fn = fns.get(order.name)
      if (!fn) fns.set(order.name, (fn = opts.find(order.name)))
      value = fn(...order.args)
    } catch (err) {
      finish(order, startedAt, cpu0, false, err)
      return false
    }
    if (!(value instanceof Promise)) {
      finish(order, startedAt, cpu0, true, value)
      return false
    }
    flush()
    value
      .then(
        (v) => finish(order, startedAt, cpu0, true, v),
        (err) => finish(order, startedAt, cpu0, false, err),
      )
      .finally(() => {
        running = false
        pump()
      })
    return true
  }

  /** Tasks run one at a time, in the order they came, even async ones; a synchronous task never waits for a microtask. */
  function pump(): void {
    if (running || held) return
    running = true
    let next: { order: TaskOrder; ack?: boolean } | undefined
    while ((next = queue.shift()) && !start(next.order, next.ack));
    running = next !== undefined
    if (!running) flush()
  }

  return {
    run(orders, ack) {
      orders.forEach((order, i) => queue.push({ order, ack: ack && i === 0 }))
      pump()
    },
    useSlots(buffer) {
      slots = new Int32Array(buffer)
    },
    holdUntil(ready) {
      const mine = (held = ready.then(
        () => undefined,
        () => undefined,
      ))
      void mine.then(() => {
        if (held === mine) held = null
        pump()
      })
    },
  }
}
