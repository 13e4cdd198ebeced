// Behaviours where the pools once parted from Python's concurrent.futures in ways that crash, wedge or surprise a
// program; each test failed before its fix. Real threads and processes; no wall-clock thresholds.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import type { TaskEvent } from '../../../shared/model'
import { CancelledError, Future } from './future'
import { ProcessPool, ThreadPool } from './kinds'
import type { Pool } from './pool'
import { asCompleted } from './results'
import { standalonePoolDeps, type StandalonePoolDeps } from './standalone'

let pools: Pool[] = []
afterEach(async () => {
  await Promise.all(pools.map((p) => p.kill()))
  pools = []
})

function make(kind: 'thread' | 'process', size: number, deps: StandalonePoolDeps = standalonePoolDeps()): Pool {
  const pool = kind === 'thread' ? new ThreadPool({ size }, deps) : new ProcessPool({ size }, deps)
  pools.push(pool)
  return pool
}

describe('a done-callback that throws', () => {
  it('is reported; the next callback runs and the future keeps its value', () => {
    const errors: unknown[] = []
    const f = new Future<number>(1, 'square', (err) => errors.push(err))
    const ran: string[] = []
    f.addDoneCallback(() => {
      throw new Error('doh!')
    })
    f.addDoneCallback(() => ran.push('second'))
    f.resolve(4)
    expect(ran).toEqual(['second'])
    expect(f.outcome()).toEqual({ ok: true, value: 4 })
    expect(errors).toEqual([expect.objectContaining({ message: 'doh!' })])
    // Added after it is done: called at once, and a throw is still reported, not raised.
    expect(() =>
      f.addDoneCallback(() => {
        throw new Error('late')
      }),
    ).not.toThrow()
    expect(errors).toHaveLength(2)
  })

  it.each(['thread', 'process'] as const)(
    '%s pool of one worker: the pool goes on and its log says what failed',
    async (kind) => {
      const deps = standalonePoolDeps()
      const pool = make(kind, 1, deps)
      const f = pool.submit<number>('workload.trivial', 3)
      const ran: number[] = []
      f.addDoneCallback(() => {
        throw new Error('doh!')
      })
      f.addDoneCallback((d) => ran.push(d.outcome()!.ok ? 1 : 0))
      expect(await f.result()).toBe(9)
      expect(await pool.submit('workload.trivial', 4).result()).toBe(16)
      expect(ran).toEqual([1])
      expect(deps.outbox.logs.map((l) => l.text).join('\n')).toMatch(/callback of task 1 .*failed: doh!/)
      await pool.shutdown()
    },
  )
})

describe.each(['thread', 'process'] as const)('%s pool: errors keep who they are', (kind) => {
  it('a RangeError comes back as a RangeError with the worker stack', async () => {
    const pool = make(kind, 1)
    const err = await pool.submit('workload.sqrt', -1).exception()
    expect(err).toBeInstanceOf(RangeError)
    expect(err!.name).toBe('RangeError')
    expect(err!.message).toBe('sqrt of a negative number (-1)')
    expect(err!.stack).toMatch(/workload\.sqrt|workloads/)
  })
})

describe('exception() of a cancelled future', () => {
  it('rejects with CancelledError, as Python raises it', async () => {
    const f = new Future(1, 'x')
    expect(f.cancel()).toBe(true)
    await expect(f.exception()).rejects.toBeInstanceOf(CancelledError)
    await expect(f.result()).rejects.toBeInstanceOf(CancelledError)
  })
})

describe('asCompleted', () => {
  it('yields a future given three times once', async () => {
    const d = new Future<number>(1, 'd')
    d.resolve(1)
    const seen: Future<number>[] = []
    for await (const f of asCompleted([d, d, d])) seen.push(f)
    expect(seen).toEqual([d])
  })
})

describe.each(['thread', 'process'] as const)('%s pool: a task that cannot be sent', (kind) => {
  it('fails alone, naming the argument; the worker stays free for the next task', async () => {
    const pool = make(kind, 1)
    await pool.ready()
    let bad: Future | null = null
    let thrown: unknown = null
    try {
      bad = pool.submit('workload.trivial', () => 1)
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeNull()
    await expect(bad!.result()).rejects.toThrow(/argument 1 .*cannot be sent/)
    expect(await pool.submit('workload.trivial', 5).result()).toBe(25)
    await pool.shutdown()
  })
})

describe.each(['thread', 'process'] as const)('%s pool: leaving map() early', (kind) => {
  it('cancels the tasks that have not started', async () => {
    const deps = standalonePoolDeps()
    const pool = make(kind, 1, deps)
    await pool.ready()
    const inputs = Array.from({ length: 12 }, () => 30)
    for await (const v of pool.map<number>('workload.sleep', inputs)) {
      expect(v).toBe(30)
      break
    }
    await pool.shutdown()
    const finished = deps.outbox.events.filter(
      (e): e is TaskEvent => e.type === 'task' && e.phase === 'finished' && e.ok === true,
    )
    // The first ran; at most the call queue (process: size + 1) had started; the rest were cancelled.
    expect(finished.length).toBeLessThanOrEqual(3)
  })
})

describe('a script that never calls shutdown()', () => {
  it.each(['thread', 'process'] as const)('%s pool: exits once its futures are done', (kind) => {
    const script = fileURLToPath(new URL('./fixtures/forgets-shutdown.ts', import.meta.url))
    const out = spawnSync(process.execPath, ['--import', 'tsx', script, kind], { encoding: 'utf8', timeout: 20_000 })
    expect(out.signal).toBeNull()
    expect(out.status).toBe(0)
    expect(out.stdout.trim()).toBe('49')
  })
})
