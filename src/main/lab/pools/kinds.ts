// The two kinds of pool as callers build them: ThreadPool (worker threads) and ProcessPool (child processes).
import { Pool, type PoolDeps, type TaskRecord } from './pool'

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
