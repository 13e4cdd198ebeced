// A Future like Python's concurrent.futures.Future: pending -> running -> finished, or cancelled.

export type FutureState = 'pending' | 'running' | 'finished' | 'cancelled'

export class CancelledError extends Error {
  constructor(what: string) {
    super(`${what} was cancelled before it started.`)
    this.name = 'CancelledError'
  }
}

export class Future<T = unknown> {
  private _state: FutureState = 'pending'
  private value: T | undefined
  private error: Error | null = null
  // Closures, not (f: Future<T>) => void, so a Future<number> is still a Future<unknown>. Created on first use:
  // a pool of 20,000 trivial tasks should not pay for arrays and promises nobody reads.
  private callbacks: (() => void)[] | null = null

  constructor(readonly id: number, readonly name: string) {}

  /** Resolves (never rejects) once the future is done. */
  private settled(): Promise<void> {
    if (this.done()) return Promise.resolve()
    return new Promise((resolve) => this.addDoneCallback(() => resolve()))
  }

  get state(): FutureState {
    return this._state
  }

  done(): boolean {
    return this._state === 'finished' || this._state === 'cancelled'
  }

  running(): boolean {
    return this._state === 'running'
  }

  cancelled(): boolean {
    return this._state === 'cancelled'
  }

  /** Cancels only while pending, as Python does; true if it is (now) cancelled. */
  cancel(): boolean {
    if (this._state === 'cancelled') return true
    if (this._state !== 'pending') return false
    this._state = 'cancelled'
    this.error = new CancelledError(`Task ${this.id} (${this.name})`)
    this.finish()
    return true
  }

  /** Waits, then returns the value or throws the task's error. */
  async result(): Promise<T> {
    await this.settled()
    if (this.error) throw this.error
    return this.value as T
  }

  /** Waits, then returns the task's error (null on success). */
  async exception(): Promise<Error | null> {
    await this.settled()
    return this.error
  }

  /** The outcome without waiting: null while not done. Lets done-callbacks stay synchronous (completion order). */
  outcome(): { ok: true; value: T } | { ok: false; error: Error } | null {
    if (!this.done()) return null
    return this.error ? { ok: false, error: this.error } : { ok: true, value: this.value as T }
  }

  /** Runs `fn` once the future is done (at once if it already is). */
  addDoneCallback(fn: (f: Future<T>) => void): void {
    if (this.done()) fn(this)
    else (this.callbacks ??= []).push(() => fn(this))
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
    if (this._state !== 'cancelled') this._state = 'finished'
    const callbacks = this.callbacks
    this.callbacks = null
    if (callbacks) for (const fn of callbacks) fn()
  }
}
