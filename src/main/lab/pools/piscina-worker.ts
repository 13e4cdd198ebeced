// The file piscina's threads run (built to out/lab/piscina-worker.mjs): the pool's own tasks, as our pool units run them.
// The default export is bare, for benchmarking piscina as it comes; `timed` adds what a Gantt needs.
import { absNow } from '../units/protocol'
import { findPoolTask } from './pool-tasks'
import { createCpuClock, osThreadId } from '../sampling/self'

export interface PiscinaTask {
  name: string
  args: unknown[]
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

export default function run({ name, args }: PiscinaTask): unknown {
  return task(name)(...args)
}

const cpuClock = createCpuClock('thread')
let tid: number | null | undefined

export async function timed({ name, args }: PiscinaTask): Promise<TimedOutcome> {
  if (tid === undefined) tid = osThreadId()
  const startedAt = absNow()
  const cpu0 = cpuClock()
  const value = await task(name)(...args)
  const endedAt = absNow()
  const cpu1 = cpuClock()
  return { value, startedAt, endedAt, cpuMs: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0, pid: process.pid, tid }
}
