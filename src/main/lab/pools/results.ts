// Ways to collect many futures, as Python does: in input order (Executor.map) or in completion order (as_completed).
import type { Future } from './future'

/** Yields each future as it completes (success, failure or cancellation), like concurrent.futures.as_completed. */
export async function* asCompleted<T>(futures: Iterable<Future<T>>): AsyncGenerator<Future<T>> {
  const all = [...futures]
  const ready: Future<T>[] = []
  let wake: (() => void) | null = null
  for (const f of all) {
    f.addDoneCallback((done) => {
      ready.push(done)
      wake?.()
      wake = null
    })
  }
  for (let n = 0; n < all.length; n++) {
    while (ready.length === 0) await new Promise<void>((resolve) => (wake = resolve))
    yield ready.shift()!
  }
}

/**
 * What Pool.map returns: iterate it (`for await`) to get results in input order, raising when the iteration reaches a
 * failing item, or await it for the whole array (rejects with the first failure in input order). With a chunksize, a
 * failing item fails its whole chunk, as in Python.
 */
export class OrderedResults<T> implements PromiseLike<T[]>, AsyncIterable<T> {
  constructor(
    private readonly futures: readonly Future<unknown>[],
    private readonly chunked: boolean,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (const f of this.futures) {
      const v = await f.result()
      if (this.chunked) yield* v as T[]
      else yield v as T
    }
  }

  then<A = T[], B = never>(onFulfilled?: ((value: T[]) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.all().then(onFulfilled, onRejected)
  }

  private async all(): Promise<T[]> {
    const out: T[] = []
    for await (const v of this) out.push(v)
    return out
  }
}
