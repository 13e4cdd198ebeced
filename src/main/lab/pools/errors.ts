// What a pool's futures fail with when the pool itself is the cause (shut down, stopped, a worker lost, spawning broken).
export class PoolError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PoolError'
  }
}

/** The error of the task a worker was running when it died, naming the worker, its pid and the signal or exit code. */
export function workerLost(label: string, host: { mode: 'thread' | 'process'; pid: number }, info: { signal: string | null; error: string | null; code: number | null }, task: { id: number; name: string }): PoolError {
  const who = `Worker "${label}" (${host.mode === 'thread' ? `thread in pid ${host.pid}` : `pid ${host.pid}`})`
  const how = info.signal ? `was killed by ${info.signal}` : info.error ? `crashed (exit code ${info.code}): ${info.error}` : `exited with code ${info.code}`
  return new PoolError(`${who} ${how} while running task ${task.id} (${task.name}).`)
}
