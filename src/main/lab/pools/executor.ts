// The Python-shaped part of a pool, built on submit() alone: map in input order (Executor.map), imapUnordered and
// applyAsync in completion order (multiprocessing.Pool). Pool supplies submitWith().
import type { Transferable } from 'node:worker_threads'
import { checkTimeout } from './errors'
import type { Future } from './future'
import { asCompleted, OrderedResults } from './results'

export interface MapOptions {
  /** Items per message to a worker (default 1); below 1, or not whole, is refused as in Python. */
  chunksize?: number
  /** ms from the call to map(): an item not done by then raises TimeoutError when the iteration reaches it. */
  timeout?: number
}

function checkChunksize(chunksize: number | undefined): number {
  const n = chunksize ?? 1
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
    throw new RangeError(`chunksize must be a whole number >= 1 (got ${String(chunksize)}).`)
  return n
}

export abstract class Executor {
  abstract submitWith<T = unknown>(
    name: string,
    args: unknown[],
    opts?: { transfer?: readonly Transferable[] },
  ): Future<T>

  submit<T = unknown>(name: string, ...args: unknown[]): Future<T> {
    return this.submitWith<T>(name, args)
  }

  /** Like Executor.map: everything is submitted at once; results come in input order. `chunksize` sends items in groups. */
  map<T = unknown>(name: string, inputs: Iterable<unknown>, opts: MapOptions = {}): OrderedResults<T> {
    const chunksize = checkChunksize(opts.chunksize)
    checkTimeout(opts.timeout)
    const items = [...inputs]
    if (chunksize === 1)
      return new OrderedResults<T>(
        items.map((x) => this.submit(name, x)),
        false,
        opts.timeout,
      )
    return new OrderedResults<T>(this.submitChunks(name, items, chunksize), true, opts.timeout)
  }

  /** Like Pool.imap_unordered: results in completion order; a failure raises when the iteration reaches it. */
  async *imapUnordered<T = unknown>(
    name: string,
    inputs: Iterable<unknown>,
    opts: { chunksize?: number } = {},
  ): AsyncGenerator<T> {
    const chunksize = checkChunksize(opts.chunksize)
    const items = [...inputs]
    const futures: Future[] =
      chunksize === 1 ? items.map((x) => this.submit(name, x)) : this.submitChunks(name, items, chunksize)
    try {
      for await (const f of asCompleted(futures)) {
        const v = await f.result()
        if (chunksize === 1) yield v as T
        else yield* v as T[]
      }
    } finally {
      for (const f of futures) f.cancel()
    }
  }

  /**
   * Like Pool.apply_async: callbacks run in completion order; an error with no errorCallback stays in the future.
   * A callback that throws is reported like any done-callback (see Future).
   */
  applyAsync<T = unknown>(
    name: string,
    args: readonly unknown[],
    opts: { callback?: (value: T) => void; errorCallback?: (err: Error) => void } = {},
  ): Future<T> {
    const f = this.submit<T>(name, ...args)
    f.addDoneCallback((done) => {
      const out = done.outcome()
      if (out?.ok) opts.callback?.(out.value)
      else if (out) opts.errorCallback?.(out.error)
    })
    return f
  }

  /** One "pool.chunk" task per `chunksize` inputs: one message each way per chunk. */
  private submitChunks(name: string, inputs: readonly unknown[], chunksize: number): Future[] {
    const chunks: Future[] = []
    for (let i = 0; i < inputs.length; i += chunksize)
      chunks.push(this.submit('pool.chunk', name, inputs.slice(i, i + chunksize)))
    return chunks
  }
}
