// The one registry through which the lab (and every unit host) finds scenarios, their unit functions and tasks.
import type { ScenarioDefinition, TaskFn, WorkerFn } from '../src/main/lab/scenario'
import { workloadTasks } from '../src/main/lab/pools/workloads'
import { chunkTasks } from '../src/main/lab/pools/chunk-tasks'
import counters from './counters'
import cpuVsIo from './cpu-vs-io'
import executor from './executor'
import executorMap from './executor-map'
import poolAsync from './pool-async'
import { pythonScenarios } from './python/catalog'
import queue from './queue'
import queueDrain from './queue-drain'
import sharedArray from './shared-array'
import spin from './spin'
import startupCost from './startup-cost'

export const scenarios: readonly ScenarioDefinition[] = [
  counters,
  sharedArray,
  queue,
  queueDrain,
  poolAsync,
  executor,
  executorMap,
  startupCost,
  cpuVsIo,
  spin,
  ...pythonScenarios,
]

type AnyFn = (...args: unknown[]) => unknown

/** Tasks that belong to no scenario: "pool.chunk" runs a slice of a map() in one message; "workload.*" are the comparison workloads. */
const builtinTasks: Record<string, AnyFn> = {
  ...(workloadTasks as Record<string, AnyFn>),
  ...chunkTasks((name) => findTask(name)),
}

export function findScenario(id: string): ScenarioDefinition | undefined {
  return scenarios.find((s) => s.id === id)
}

function split(qualified: string): [ScenarioDefinition | undefined, string] {
  const dot = qualified.indexOf('.')
  return [findScenario(qualified.slice(0, dot)), qualified.slice(dot + 1)]
}

/** "counters.count" -> the `count` unit function of scenario `counters`. */
export function findWorker(call: string): (w: Parameters<WorkerFn>[0], args: unknown) => unknown {
  const [scenario, name] = split(call)
  const fn = scenario?.workers?.[name]
  if (!fn) throw new Error(`No unit function "${call}" in the scenario registry.`)
  return fn as (w: Parameters<WorkerFn>[0], args: unknown) => unknown
}

/** "pool-async.square" -> the `square` task of scenario `pool-async`; or a built-in task. */
export function findTask(name: string): AnyFn {
  const builtin = builtinTasks[name]
  if (builtin) return builtin
  const [scenario, task] = split(name)
  const fn = scenario?.tasks?.[task] as TaskFn | undefined
  if (!fn) throw new Error(`No task "${name}" in the scenario registry.`)
  return fn as AnyFn
}
