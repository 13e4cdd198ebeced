// What a pool's futures fail with: the pool's own errors (shut down, stopped, a worker lost, spawning broken), Python's
// CancelledError and TimeoutError, and an error thrown inside a worker brought back as itself.
export class PoolError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PoolError'
  }
}

/** Like concurrent.futures.CancelledError: what a cancelled future's result() and exception() raise. */
export class CancelledError extends Error {
  constructor(what: string) {
    super(`${what} was cancelled before it started.`)
    this.name = 'CancelledError'
  }
}

/** Like concurrent.futures.TimeoutError: the wait ran out; the task itself goes on. */
export class TimeoutError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TimeoutError'
  }
}

/** The error of the task a worker was running when it died, naming the worker, its pid and the signal or exit code. */
export function workerLost(
  label: string,
  host: { mode: 'thread' | 'process'; pid: number },
  info: { signal: string | null; error: string | null; code: number | null },
  task: { id: number; name: string },
): PoolError {
  const who = `Worker "${label}" (${host.mode === 'thread' ? `thread in pid ${host.pid}` : `pid ${host.pid}`})`
  const how = info.signal
    ? `was killed by ${info.signal}`
    : info.error
      ? `crashed (exit code ${info.code}): ${info.error}`
      : `exited with code ${info.code}`
  return new PoolError(`${who} ${how} while running task ${task.id} (${task.name}).`)
}

/** Checks a timeout in ms (undefined: wait for ever), naming the option when it is not a number >= 0. */
export function checkTimeout(timeout: number | undefined, what = 'timeout'): void {
  if (timeout !== undefined && (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0)) {
    throw new RangeError(`${what} must be a number of ms >= 0, or left out to wait for ever (got ${String(timeout)}).`)
  }
}

/** Why a task's arguments cannot be sent to a worker (null: they can), naming the argument. */
export function unsendable(task: { id: number; name: string; args: unknown[] }): PoolError | null {
  for (const [i, arg] of task.args.entries()) {
    try {
      structuredClone(arg)
    } catch (err) {
      return new PoolError(
        `Task ${task.id} (${task.name}): argument ${i + 1} cannot be sent to a worker: ${(err as Error).message}`,
        { cause: err },
      )
    }
  }
  return null
}
