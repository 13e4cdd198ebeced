// The file piscina's threads run (built to out/lab/piscina-worker.mjs): the pool's own tasks, as our pool units run them.
// The default export is bare, for benchmarking piscina as it comes; `timed` adds what a Gantt needs.
import { absNow } from '../units/protocol'
import { findPoolTask } from './pool-tasks'
import { createTaskFinder, type TaskFinder } from './task-module'
import { createCpuClock, osThreadId } from '../sampling/self'
import { lowerOwnPriority } from '../units/priority'

export interface PiscinaTask {
  name: string
  args: unknown[]
  /** A user's module whose export `name` is the task (as our pools' `filename`). */
  module?: string
}

export interface TimedOutcome {
  value: unknown
  startedAt: number
  endedAt: number
  cpuMs: number | null
  pid: number
  tid: number | null
}

const fns = new Map<string, (...args: unknown[]) => unknown>()
function task(name: string): (...args: unknown[]) => unknown {
  let fn = fns.get(name)
  if (!fn) fns.set(name, (fn = findPoolTask(name)))
  return fn
}

const finders = new Map<string, Promise<TaskFinder>>()
/** The user's module, loaded once per thread. */
function fromModule(file: string): Promise<TaskFinder> {
  let finder = finders.get(file)
  if (!finder) {
    const f = createTaskFinder(findPoolTask)
    finders.set(file, (finder = f.init({ t: 'init', module: file, initializer: null, initargs: [] }).then(() => f)))
  }
  return finder
}

export default function run({ name, args }: PiscinaTask): unknown {
  return task(name)(...args)
}

const cpuClock = createCpuClock('thread')
let tid: number | null | undefined

export async function timed({ name, args, module }: PiscinaTask): Promise<TimedOutcome> {
  if (tid === undefined) {
    tid = osThreadId()
    // As the lab's own pool workers: below the lab's thread (the bare export, piscina as it comes, is left alone).
    lowerOwnPriority(true, tid)
  }
  // The module is loaded before the clock starts: its import is start-up, not the task.
  const fn = module ? (await fromModule(module)).find(name) : task(name)
  const startedAt = absNow()
  const cpu0 = cpuClock()
  const value = await fn(...args)
  const endedAt = absNow()
  const cpu1 = cpuClock()
  return {
    value,
    startedAt,
    endedAt,
    cpuMs: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0,
    pid: process.pid,
    tid,
  }
}
