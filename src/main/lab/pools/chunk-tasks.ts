// The pool's own tasks, run by a worker over whatever task lookup it has (the lab's registry or a user's module):
// "pool.chunk" runs a slice of a map() in one message; "pool.timedChunk" also says when each item ran.
import { absNow } from '../units/protocol'

type AnyFn = (...args: unknown[]) => unknown

export function chunkTasks(find: (name: string) => AnyFn): Record<string, AnyFn> {
  return {
    'pool.chunk': async (name, items) => {
      const fn = find(name as string)
      const out: unknown[] = []
      for (const item of items as unknown[]) out.push(await fn(item))
      return out
    },
    /** A chunk that also says when each item started and ended (absolute ms): static chunking drawn one bar per task. */
    'pool.timedChunk': async (name, items) => {
      const fn = find(name as string)
      const values: unknown[] = []
      const times: number[] = []
      for (const item of items as unknown[]) {
        const startedAt = absNow()
        values.push(await fn(item))
        times.push(startedAt, absNow())
      }
      return { values, times }
    },
  }
}
