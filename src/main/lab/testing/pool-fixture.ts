// Test helpers: pools of two workers on a user's module (pools/fixtures/user-tasks.mjs), killed after each test.
import { afterEach } from 'vitest'
import { ProcessPool, ThreadPool, type PoolOptions } from '../pools/index'
import type { Pool } from '../pools/pool'

/** The module whose named exports the pools run as tasks. */
export const USER_TASKS = new URL('../pools/fixtures/user-tasks.mjs', import.meta.url)

/** Makes `kind` pools on USER_TASKS (options override), killed after each test so no worker outlives its test. */
export function useUserModulePools(kind: 'thread' | 'process'): (opts?: PoolOptions) => Pool {
  const pools: Pool[] = []
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.kill()))
  })
  return (opts = {}) => {
    const options = { size: 2, filename: USER_TASKS, ...opts }
    const pool = kind === 'thread' ? new ThreadPool(options) : new ProcessPool(options)
    pools.push(pool)
    return pool
  }
}
