// Inside a pool worker: where task names lead. The lab's registered tasks by default; once the pool sends a user's
// module (as piscina and tinypool take a `filename`), that module's named exports, with clear errors for a missing
// export or one that is not a function.
import { pathToFileURL } from 'node:url'
import type { PoolInit } from '../units/protocol'
import { poolTasks } from './pool-tasks'

type AnyFn = (...args: unknown[]) => unknown

export interface TaskFinder {
  find(name: string): AnyFn
  /** Loads the module (if any) and runs the initializer (if any); rejects with what went wrong. */
  init(order: PoolInit): Promise<void>
}

export function createTaskFinder(registered: (name: string) => AnyFn): TaskFinder {
  let exports: Record<string, unknown> | null = null
  let file = ''
  const fromModule = (name: string): AnyFn => {
    if (!Object.hasOwn(exports!, name)) {
      const names = Object.keys(exports!).filter((k) => typeof exports![k] === 'function')
      throw new ReferenceError(
        `${file} has no export named "${name}" (its function exports: ${names.length > 0 ? names.join(', ') : 'none'}).`,
      )
    }
    const fn = exports![name]
    if (typeof fn !== 'function')
      throw new TypeError(`Export "${name}" of ${file} is ${fn === null ? 'null' : `a ${typeof fn}`}, not a function.`)
    return fn as AnyFn
  }
  const builtin = poolTasks((name) => finder.find(name))
  const finder: TaskFinder = {
    find(name) {
      if (Object.hasOwn(builtin, name)) return builtin[name]
      return exports ? fromModule(name) : registered(name)
    },
    async init(order) {
      if (order.module) {
        file = order.module
        exports = (await import(pathToFileURL(order.module).href)) as Record<string, unknown>
      }
      if (order.initializer) await finder.find(order.initializer)(...order.initargs)
    },
  }
  return finder
}
