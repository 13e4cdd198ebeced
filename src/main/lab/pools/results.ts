// Ways to collect many futures, as Python does: in input order (Executor.map), in completion order (as_completed),
// or all at once up to a condition (wait).
import { checkTimeout, TimeoutError } from './errors'
import type { Future } from './future'

/** A deadline `ms` from now (null: none) and what is left of it. */
function deadline(ms: number | undefined): () => number | undefined {
  if (ms === undefined) return () => undefined
  const end = performance.now() + ms
  return () => Math.max(0, end - performance.now())
}

/**
 * Yields each distinct future once, as it completes (success, failure or cancellation), like as_completed; a future
 * is dropped as it is yielded. With a timeout (ms from this call), TimeoutError when the next one is not done in time.
 */
export async function* asCompleted<T>(
  futures: Iterable<Future<T>>,
  opts: { timeout?: number } = {},
): AsyncGenerator<Future<T>> {
  checkTimeout(opts.timeout)
  const left = deadline(opts.timeout)
  const pending = new Set(futures)
  const total = pending.size
  const ready: Future<T>[] = []
  let wake: (() => void) | null = null
  for (const f of pending) {
    f.addDoneCallback((done) => {
      ready.push(done)
      wake?.()
      wake = null
    })
  }
  while (pending.size > 0) {
    if (ready.length === 0) {
      const ms = left()
      let timer: NodeJS.Timeout | undefined
      const arrived = await new Promise<boolean>((resolve) => {
        wake = () => resolve(true)
        if (ms !== undefined) timer = setTimeout(() => resolve(false), ms)
      })
      clearTimeout(timer)
      wake = null
      if (!arrived) throw new TimeoutError(`${pending.size} (of ${total}) futures unfinished`)
      continue
    }
    const f = ready.shift()!
    pending.delete(f)
    yield f
  }
}

export type ReturnWhen = 'FIRST_COMPLETED' | 'FIRST_EXCEPTION' | 'ALL_COMPLETED'
const RETURN_WHEN: readonly ReturnWhen[] = ['FIRST_COMPLETED', 'FIRST_EXCEPTION', 'ALL_COMPLETED']

/** Like concurrent.futures.wait: waits until the condition holds or the timeout (ms) runs out; never throws for a task's error. */
export async function wait<T>(
  futures: Iterable<Future<T>>,
  opts: { returnWhen?: ReturnWhen; timeout?: number } = {},
): Promise<{ done: Set<Future<T>>; notDone: Set<Future<T>> }> {
  const returnWhen = opts.returnWhen ?? 'ALL_COMPLETED'
  if (!RETURN_WHEN.includes(returnWhen))
    throw new RangeError(`returnWhen must be one of ${RETURN_WHEN.join(', ')} (got ${String(returnWhen)}).`)
  checkTimeout(opts.timeout)
  const all = new Set(futures)
  const failed = (f: Future<T>): boolean => !f.cancelled() && f.outcome()?.ok === false
  const satisfied = (done: number, anyFailed: boolean): boolean =>
    done === all.size ||
    (returnWhen === 'FIRST_COMPLETED' && done > 0) ||
    (returnWhen === 'FIRST_EXCEPTION' && anyFailed)
  const split = (): { done: Set<Future<T>>; notDone: Set<Future<T>> } => {
    const done = new Set<Future<T>>()
    const notDone = new Set<Future<T>>()
    for (const f of all) (f.done() ? done : notDone).add(f)
    return { done, notDone }
  }
  const initial = split()
  if (satisfied(initial.done.size, [...initial.done].some(failed))) return initial
  await new Promise<void>((resolve) => {
    let doneCount = initial.done.size
    let finished = false
    const end = (): void => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      resolve()
    }
    const timer = opts.timeout === undefined ? undefined : setTimeout(end, opts.timeout)
    for (const f of initial.notDone) f.addDoneCallback((d) => satisfied(++doneCount, failed(d)) && end())
  })
  return split()
}

/**
 * What Pool.map returns: iterate it (`for await`) to get results in input order, raising when the iteration reaches a
 * failing item, or await it for the whole array (rejects with the first failure in input order). With a chunksize, a
 * failing item fails its whole chunk, as in Python. Leaving the iteration early (break, return, throw, a failure or
 * the timeout) cancels what has not started; each future is dropped once its result is given.
 */
export class OrderedResults<T> implements PromiseLike<T[]>, AsyncIterable<T> {
  private readonly left: () => number | undefined

  constructor(
    private readonly futures: Future<unknown>[],
    private readonly chunked: boolean,
    timeout?: number,
  ) {
    // As in Python, the timeout runs from the call to map(), not from the start of the iteration.
    this.left = deadline(timeout)
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    const fs = this.futures
    try {
      while (fs.length > 0) {
        const v = await fs[0].result(this.left())
        fs.shift()
        if (this.chunked) yield* v as T[]
        else yield v as T
      }
    } finally {
      for (const f of fs.splice(0)) f.cancel()
    }
  }

  then<A = T[], B = never>(
    onFulfilled?: ((value: T[]) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.all().then(onFulfilled, onRejected)
  }

  private async all(): Promise<T[]> {
    const out: T[] = []
    for await (const v of this) out.push(v)
    return out
  }
}
