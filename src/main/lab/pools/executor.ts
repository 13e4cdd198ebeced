// The Python-shaped part of a pool, built on submit() alone: map in input order (Executor.map), imapUnordered and
// applyAsync in completion order (multiprocessing.Pool). Pool supplies submitWith() and where a failing callback is told.
import type { Transferable } from 'node:worker_threads'
import type { Future } from './future'
import { asCompleted, OrderedResults } from './results'

export abstract class Executor {
  abstract submitWith<T = unknown>(name: string, args: unknown[], opts?: { transfer?: readonly Transferable[] }): Future<T>

  /** Python logs an exception raised by a done-callback and carries on; so does a pool. */
  protected abstract callbackFailed(taskId: number, err: Error): void

  submit<T = unknown>(name: string, ...args: unknown[]): Future<T> {
    return this.submitWith<T>(name, args)
  }

  /** Like Executor.map: everything is submitted at once; results come in input order. `chunksize` sends items in groups. */
  map<T = unknown>(name: string, inputs: readonly unknown[], opts: { chunksize?: number } = {}): OrderedResults<T> {
    const chunksize = Math.max(1, Math.floor(opts.chunksize ?? 1))
    if (chunksize === 1) return new OrderedResults<T>(inputs.map((x) => this.submit(name, x)), false)
    return new OrderedResults<T>(this.submitChunks(name, inputs, chunksize), true)
  }

  /** Like Pool.imap_unordered: results in completion order; a failure raises when the iteration reaches it. */
  async *imapUnordered<T = unknown>(name: string, inputs: readonly unknown[], opts: { chunksize?: number } = {}): AsyncGenerator<T> {
    const chunksize = Math.max(1, Math.floor(opts.chunksize ?? 1))
    const futures: Future[] = chunksize === 1 ? inputs.map((x) => this.submit(name, x)) : this.submitChunks(name, inputs, chunksize)
    for await (const f of asCompleted(futures)) {
      const v = await f.result()
      if (chunksize === 1) yield v as T
      else yield* v as T[]
    }
  }

  /** Like Pool.apply_async: callbacks run in completion order; an error with no errorCallback stays in the future. */
  applyAsync<T = unknown>(
    name: string,
    args: readonly unknown[],
    opts: { callback?: (value: T) => void; errorCallback?: (err: Error) => void } = {},
  ): Future<T> {
    const f = this.submit<T>(name, ...args)
    f.addDoneCallback((done) => {
      const out = done.outcome()
      try {
        if (out?.ok) opts.callback?.(out.value)
        else if (out) opts.errorCallback?.(out.error)
      } catch (err) {
        this.callbackFailed(done.id, err as Error)
      }
    })
    return f
  }

  /** One "pool.chunk" task per `chunksize` inputs: one message each way per chunk. */
  private submitChunks(name: string, inputs: readonly unknown[], chunksize: number): Future[] {
    const chunks: Future[] = []
    for (let i = 0; i < inputs.length; i += chunksize) chunks.push(this.submit('pool.chunk', name, inputs.slice(i, i + chunksize)))
    return chunks
  }
}
