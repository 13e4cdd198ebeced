// The pool's own tasks, which belong to no scenario: "pool.chunk" runs a slice of a map() in one message,
// "pool.timedChunk" also times each item, and "workload.*" are the comparison workloads.
import { absNow } from '../units/protocol'
import { timedLoop, workloadTasks } from './workloads'

export type TaskFunction = (...args: unknown[]) => unknown

/** The pool's tasks; `find` resolves the task a chunk runs (a scenario's or one of these). */
export function poolTasks(find: (name: string) => TaskFunction): Record<string, TaskFunction> {
  return {
    ...(workloadTasks as Record<string, TaskFunction>),
    /** A comparison's sequential baseline or async run: every input through one task, in this one thread. */
    'workload.loop': (name, recipes, together) =>
      timedLoop(find(name as string), recipes as unknown[], together as boolean),
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

/** Only the pool's own tasks (the main thread's and piscina's comparison runs need no scenario). */
export function findPoolTask(name: string): TaskFunction {
  const fn = ownTasks[name]
  if (!fn)
    throw new Error(`No task "${name}": only the pool's own tasks (${Object.keys(ownTasks).join(', ')}) run here.`)
  return fn
}

const ownTasks: Record<string, TaskFunction> = poolTasks(findPoolTask)
