// Inside a unit: the code it may be asked to run, found by name in the scenario module it was handed (as piscina is
// handed a `filename`), plus the pool's own tasks. The unit host never imports a scenario itself.
import { pathToFileURL } from 'node:url'
import { poolTasks, type TaskFunction } from '../pools/pool-tasks'
import type { ScenarioDefinition, ScenarioModule, WorkerApi } from '../scenario-api'

export type UnitFunction = (w: WorkerApi, args: unknown) => unknown

export interface ScenarioCode {
  /** "counters.count" -> the `count` unit function of scenario `counters`. */
  findWorker(call: string): UnitFunction
  /** "pool-async.square" -> the `square` task of scenario `pool-async`; or one of the pool's own tasks. */
  findTask(name: string): TaskFunction
}

export function scenarioCode(scenarios: readonly ScenarioDefinition[], source = 'the scenario module'): ScenarioCode {
  const byId = new Map(scenarios.map((s) => [s.id, s]))
  const split = (qualified: string): [ScenarioDefinition | undefined, string] => {
    const dot = qualified.indexOf('.')
    return dot < 0 ? [undefined, qualified] : [byId.get(qualified.slice(0, dot)), qualified.slice(dot + 1)]
  }
  const findTask = (name: string): TaskFunction => {
    const own = builtins[name]
    if (own) return own
    const [scenario, task] = split(name)
    const fn = scenario?.tasks?.[task]
    if (!fn) throw new Error(`No task "${name}" in ${source}.`)
    return fn as TaskFunction
  }
  const builtins = poolTasks(findTask)
  return {
    findTask,
    findWorker(call) {
      const [scenario, name] = split(call)
      const fn = scenario?.workers?.[name]
      if (!fn) throw new Error(`No unit function "${call}" in ${source}.`)
      return fn as UnitFunction
    },
  }
}

/** Imports a built scenario module (it must export `scenarios`); with no file, only the pool's own tasks are known. */
export async function loadScenarioCode(file: string | null): Promise<ScenarioCode> {
  if (!file) return scenarioCode([], 'this unit (it was given no scenario module)')
  const mod = (await import(pathToFileURL(file).href)) as Partial<ScenarioModule>
  if (!Array.isArray(mod.scenarios)) throw new Error(`${file} exports no "scenarios" list.`)
  return scenarioCode(mod.scenarios, file)
}
