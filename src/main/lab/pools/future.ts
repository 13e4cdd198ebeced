// A Future like Python's concurrent.futures.Future: pending -> running -> finished, or cancelled.
import { TASK_SLOT } from '../units/protocol'
import { CancelledError, checkTimeout, TimeoutError } from './errors'

export { CancelledError, TimeoutError } from './errors'

export type FutureState = 'pending' | 'running' | 'finished' | 'cancelled'

/** Where an error thrown by a done-callback goes: Python logs it and carries on. */
export type CallbackErrorSink = (err: unknown, future: Future) => void

const logToConsole: CallbackErrorSink = (err, f) =>
  console.error(`Task ${f.id} (${f.name}): a done-callback failed:`, err)

export class Future<T = unknown> {
  private _state: FutureState = 'pending'
  private value: T | undefined
  private error: Error | null = null
  // Closures, not (f: Future<T>) => void, so a Future<number> is still a Future<unknown>. Created on first use:
  // a pool of 20,000 trivial tasks should not pay for arrays and promises nobody reads.
  private callbacks: (() => void)[] | null = null

  /** Thread pools: while the task waits in a worker's inbox, a shared state word says whether it started. */
  private slot: { states: Int32Array; index: number } | null = null

  constructor(
    readonly id: number,
    readonly name: string,
    private readonly onCallbackError: CallbackErrorSink = logToConsole,
  ) {}

  get state(): FutureState {
    if (this._state === 'pending' && this.slot && Atomics.load(this.slot.states, this.slot.index) === TASK_SLOT.RUNNING)
      return 'running'
    return this._state
  }

  done(): boolean {
    return this._state === 'finished' || this._state === 'cancelled'
  }

  running(): boolean {
    return this.state === 'running'
  }

  cancelled(): boolean {
    return this._state === 'cancelled'
  }

  /** Cancels only while pending, as Python does; true if it is (now) cancelled. */
  cancel(): boolean {
    if (this._state === 'cancelled') return true
    if (this._state !== 'pending') return false
    // Sent ahead to a worker: cancelled only if the worker has not started it (one compare-and-swap decides).
    if (
      this.slot &&
      Atomics.compareExchange(this.slot.states, this.slot.index, TASK_SLOT.PENDING, TASK_SLOT.CANCELLED) !==
        TASK_SLOT.PENDING
    )
      return false
    this._state = 'cancelled'
    this.error = new CancelledError(`Task ${this.id} (${this.name})`)
    this.finish()
    return true
  }

  /** Resolves (never rejects) once done; with a timeout, false if it was not done in time. */
  whenDone(timeoutMs?: number): Promise<boolean> {
    checkTimeout(timeoutMs)
    if (this.done()) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? null : setTimeout(() => resolve(false), timeoutMs)
      this.addDoneCallback(() => {
        if (timer) clearTimeout(timer)
        resolve(true)
      })
    })
  }

  /** Waits (at most `timeoutMs`: then TimeoutError, the task goes on), then returns the value or throws the task's error. */
  result(timeoutMs?: number): Promise<T> {
    if (this.done()) return this.error ? Promise.reject(this.error) : Promise.resolve(this.value as T)
    // The common case stays one promise and one closure: 20,000 trivial tasks wait this way.
    if (timeoutMs === undefined)
      return new Promise((resolve, reject) =>
        this.addDoneCallback(() => (this.error ? reject(this.error) : resolve(this.value as T))),
      )
    return this.whenDone(timeoutMs).then((done) => {
      if (!done) throw this.timedOut(timeoutMs)
      if (this.error) throw this.error
      return this.value as T
    })
  }

  /** Waits like result(), then returns the task's error (null on success); a cancelled future throws CancelledError. */
  async exception(timeoutMs?: number): Promise<Error | null> {
    if (!this.done() && !(await this.whenDone(timeoutMs))) throw this.timedOut(timeoutMs!)
    if (this._state === 'cancelled') throw this.error
    return this.error
  }

  private timedOut(ms: number): TimeoutError {
    return new TimeoutError(
      `Task ${this.id} (${this.name}) did not finish within ${ms} ms (it is ${this.state}, and goes on).`,
    )
  }

  /** The outcome without waiting: null while not done. Lets done-callbacks stay synchronous (completion order). */
  outcome(): { ok: true; value: T } | { ok: false; error: Error } | null {
    if (!this.done()) return null
    return this.error ? { ok: false, error: this.error } : { ok: true, value: this.value as T }
  }

  /** Runs `fn` once the future is done (at once if it already is). An error it throws is reported, never raised. */
  addDoneCallback(fn: (f: Future<T>) => void): void {
    if (this.done()) this.call(fn)
    else (this.callbacks ??= []).push(() => this.call(fn))
  }

  private call(fn: (f: Future<T>) => void): void {
    try {
      fn(this)
    } catch (err) {
      try {
        this.onCallbackError(err, this as Future)
      } catch {
        // A sink that throws must not take the pool down either.
      }
    }
  }

  /** Pool side: the task now waits in a worker's inbox, its state in `states[index]` (null: it left the inbox). */
  useSlot(states: Int32Array | null, index = 0): void {
    this.slot = states ? { states, index } : null
  }

  /** Pool side: a worker picked it up. False if it was cancelled meanwhile. */
  markRunning(): boolean {
    if (this._state !== 'pending') return false
    this._state = 'running'
    return true
  }

  resolve(value: T): void {
    if (this.done()) return
    this.value = value
    this.finish()
  }

  reject(error: Error): void {
    if (this.done()) return
    this.error = error
    this.finish()
  }

  private finish(): void {
    this.slot = null
    if (this._state !== 'cancelled') this._state = 'finished'
    const callbacks = this.callbacks
    this.callbacks = null
    if (callbacks) for (const fn of callbacks) fn()
  }
}
