// The two kinds of pool as callers build them: ThreadPool (worker threads) and ProcessPool (child processes), inside
// the lab (given its deps) or in anyone's program, running the named exports of their own module (`filename`).
import os from 'node:os'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Pool, type PoolDeps, type TaskRecord } from './pool'
import { userPoolDeps } from './standalone'
import type { PoolSetup } from './worker-lives'

export interface KindPoolOptions extends Omit<PoolSetup, 'module'> {
  /** At most this many workers (default: as Python, min(32, cores + 4) threads, or one process per core). */
  size?: number
  /** A module (path or file: URL) whose named exports are the tasks: `submit('square', 7)` calls its `square(7)`. */
  filename?: string | URL
  name?: string
  runId?: string | null
  /** TaskEvents for the lab's tick (default: on inside the lab, off standalone, where nothing reads them). */
  taskEvents?: boolean
  onRecord?: (record: TaskRecord) => void
}

function moduleOf(filename: string | URL | undefined): string | null {
  if (filename === undefined) return null
  if (filename instanceof URL || filename.startsWith('file:')) return fileURLToPath(filename)
  return resolve(filename)
}

function settings(kind: 'thread' | 'process', opts: KindPoolOptions, deps: PoolDeps | undefined) {
  const cores = os.availableParallelism()
  const { filename, ...rest } = opts
  return {
    ...rest,
    kind,
    module: moduleOf(filename),
    size: opts.size ?? (kind === 'thread' ? Math.min(32, cores + 4) : cores),
    name: opts.name ?? `${kind} pool`,
    runId: opts.runId ?? null,
    taskEvents: opts.taskEvents ?? deps !== undefined,
  }
}

/** Worker threads: a future is running once a worker took it; ArrayBuffers can be transferred. */
export class ThreadPool extends Pool {
  constructor(opts: KindPoolOptions = {}, deps?: PoolDeps) {
    super(deps ?? userPoolDeps(), settings('thread', opts, deps))
  }
}

/** Child processes: like ProcessPoolExecutor, up to size + 1 futures count as running (its call queue). */
export class ProcessPool extends Pool {
  constructor(opts: KindPoolOptions = {}, deps?: PoolDeps) {
    super(deps ?? userPoolDeps(), settings('process', opts, deps))
  }
}
