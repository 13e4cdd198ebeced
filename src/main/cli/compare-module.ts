// `lab compare --module FILE --task NAME --args JSON`: a user's own function compared like a built-in workload. Bad
// input (no file, no such export, an export that is not a function, arguments that are not JSON) is a UsageError.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { COMPARE_LIMITS } from '../../shared/compare/types'
import type { ModuleWorkload } from '../lab/pools/workloads'
import { UsageError, type OptionSpec } from './command'

export const MODULE_OPTIONS: OptionSpec[] = [
  {
    name: 'module',
    type: 'string',
    value: 'FILE',
    help: 'compare a function of your own module (.js/.mjs) instead of a workload',
  },
  { name: 'task', type: 'string', value: 'NAME', help: 'with --module: the exported function to run' },
  {
    name: 'args',
    type: 'string',
    value: 'JSON',
    help: 'with --module: a JSON array, one input per task; any other JSON value is the input of each of --tasks tasks',
  },
]

type Values = Record<string, string | boolean | undefined>

/** The user's workload named by the options (null without --module); `tasks` counts copies of a single input. */
export function moduleFromArgs(values: Values, tasks: number): ModuleWorkload | null {
  const file = typeof values.module === 'string' ? values.module : undefined
  if (file === undefined) {
    if (values.task !== undefined || values.args !== undefined)
      throw new UsageError('--task and --args go with --module FILE.')
    return null
  }
  if (file.trim() === '') throw new UsageError('--module needs a file.')
  const path = resolve(file)
  if (!existsSync(path)) throw new UsageError(`--module: no file at ${path}.`)
  if (typeof values.task !== 'string' || values.task === '')
    throw new UsageError('--module needs --task NAME: the exported function to run.')
  if (typeof values.args !== 'string')
    throw new UsageError('--module needs --args JSON: a JSON array of inputs, one per task.')
  let parsed: unknown
  try {
    parsed = JSON.parse(values.args)
  } catch (err) {
    throw new UsageError(`--args must be JSON (${(err as Error).message}).`)
  }
  const inputs = Array.isArray(parsed) ? parsed : Array.from({ length: tasks }, () => parsed)
  if (inputs.length < 1 || inputs.length > COMPARE_LIMITS.tasks)
    throw new UsageError(`--args must hold 1 to ${COMPARE_LIMITS.tasks} inputs (got ${inputs.length}).`)
  return { file: path, task: values.task, inputs }
}

/** Loads the module once here to say at once what is wrong with it, rather than failing every task. */
export async function checkModuleTask(m: ModuleWorkload): Promise<void> {
  let exports: Record<string, unknown>
  try {
    exports = (await import(pathToFileURL(m.file).href)) as Record<string, unknown>
  } catch (err) {
    throw new UsageError(`--module: ${m.file} could not be loaded: ${(err as Error).message}`)
  }
  const names = Object.keys(exports).filter((k) => typeof exports[k] === 'function')
  if (!Object.hasOwn(exports, m.task))
    throw new UsageError(
      `--task: ${m.file} has no export named "${m.task}" (its function exports: ${names.join(', ') || 'none'}).`,
    )
  if (typeof exports[m.task] !== 'function')
    throw new UsageError(`--task: export "${m.task}" of ${m.file} is a ${typeof exports[m.task]}, not a function.`)
}
