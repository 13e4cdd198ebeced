// When workers start and end: kills from outside never make a pool give up, broken spawning does (with the reason),
// an idle worker killed fails no task, and workers start on demand. Real processes and threads.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ProcessPool, ThreadPool } from './kinds'
import type { Pool } from './pool'
import { standalonePoolDeps } from './standalone'

let pools: Pool[] = []
afterEach(async () => {
  await Promise.all(pools.map((p) => p.kill()))
  pools = []
})

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('a pool whose starting workers are killed from outside', () => {
  it('process pool: survives repeated kills of not-yet-ready workers and runs every task', async () => {
    const deps = standalonePoolDeps()
    const pool = new ProcessPool({ size: 2, start: 'eager' }, deps)
    pools.push(pool)
    const fs = Array.from({ length: 5000 }, (_, i) => pool.submit<number>('workload.trivial', i))
    const killed = new Set<number>()
    // Kill every worker that is still starting, six times over (the pool used to give up after three).
    while (killed.size < 6) {
      for (const u of deps.units.all()) {
        if (u.state === 'starting' && u.pid > 0 && !killed.has(u.pid)) {
          process.kill(u.pid, 'SIGKILL')
          killed.add(u.pid)
        }
      }
      await pause(1)
    }
    const out = await Promise.all(fs.map((f) => f.result()))
    expect(out).toEqual(fs.map((_, i) => i * i))
    expect(killed.size).toBeGreaterThanOrEqual(6)
  })

  it("thread pool: the lab's own kill of starting workers is not a spawn failure either", async () => {
    const deps = standalonePoolDeps()
    const pool = new ThreadPool({ size: 1, start: 'eager' }, deps)
    pools.push(pool)
    const f = pool.submit<number>('workload.trivial', 12)
    for (let kills = 0; kills < 4;) {
      const starting = deps.units
        .all()
        .find((u) => u.state === 'starting' && deps.spawner.liveUnits().some((l) => l.id === u.id))
      if (starting && deps.spawner.kill(starting.id)) kills++
      await pause(1)
    }
    expect(await f.result()).toBe(144)
  })
})

describe('a pool whose spawning is broken', () => {
  it('a missing host file: the task fails with the reason and the pool refuses more', async () => {
    const pool = new ThreadPool({ size: 2 }, standalonePoolDeps('/no/such/worker-host.mjs'))
    pools.push(pool)
    const f = pool.submit('workload.trivial', 1)
    await expect(f.result()).rejects.toThrow(
      /cannot start a worker: The unit host \/no\/such\/worker-host\.mjs is missing/,
    )
    expect(() => pool.submit('workload.trivial', 2)).toThrow(/is broken/)
  })

  it('a host that exits before it is up, three times in a row: every waiting task fails with the last exit code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pool-host-'))
    const host = join(dir, 'crashing-host.mjs')
    writeFileSync(host, 'process.exit(5)\n')
    const pool = new ProcessPool({ size: 2 }, standalonePoolDeps(host))
    pools.push(pool)
    const fs = Array.from({ length: 20 }, (_, i) => pool.submit('workload.trivial', i))
    for (const f of fs)
      await expect(f.result()).rejects.toThrow(
        /cannot start workers: 3 in a row exited before starting \(last: exit code 5\)/,
      )
  })
})

describe('an idle process worker killed from outside', () => {
  it('fails no task, even one submitted right after the kill', async () => {
    const deps = standalonePoolDeps()
    const pool = new ProcessPool({ size: 1 }, deps)
    pools.push(pool)
    for (let round = 0; round < 5; round++) {
      expect(await pool.submit('workload.trivial', round).result()).toBe(round * round)
      const [id] = pool.workerIds()
      process.kill(deps.units.get(id)!.pid, 'SIGKILL')
      // No waiting for the exit to be seen: the race the pool must not lose.
      expect(await pool.submit('workload.trivial', 10 + round).result()).toBe((10 + round) ** 2)
    }
  })

  it("thread pool: the lab's kill of an idle worker fails no task either", async () => {
    const deps = standalonePoolDeps()
    const pool = new ThreadPool({ size: 1 }, deps)
    pools.push(pool)
    for (let round = 0; round < 5; round++) {
      expect(await pool.submit('workload.trivial', round).result()).toBe(round * round)
      deps.spawner.kill(pool.workerIds()[0])
      expect(await pool.submit('workload.trivial', 10 + round).result()).toBe((10 + round) ** 2)
    }
  })
})

describe('on-demand start', () => {
  it.each(['thread', 'process'] as const)(
    '%s pool: no worker before the first task; at most size, one per waiting task',
    async (kind) => {
      const pool =
        kind === 'thread'
          ? new ThreadPool({ size: 3 }, standalonePoolDeps())
          : new ProcessPool({ size: 3 }, standalonePoolDeps())
      pools.push(pool)
      expect(pool.workerIds()).toHaveLength(0)
      await pool.submit('workload.trivial', 2).result()
      expect(pool.workerIds()).toHaveLength(1)
      await Promise.all(Array.from({ length: 50 }, (_, i) => pool.submit('workload.sleep', 5 + (i % 3)).result()))
      expect(pool.workerIds()).toHaveLength(3)
    },
  )
})
