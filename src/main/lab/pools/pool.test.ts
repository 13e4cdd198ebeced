import { afterEach, describe, expect, it } from 'vitest'
import type { TaskEvent } from '../../../shared/model'
import { CancelledError, type Future } from './future'
import { ProcessPool, ThreadPool, type KindPoolOptions } from './kinds'
import type { Pool } from './pool'
import { asCompleted, wait } from './results'
import { standalonePoolDeps, type StandalonePoolDeps } from './standalone'

// Real threads and processes; no wall-clock thresholds, only orders and outcomes.
let pools: Pool[] = []
afterEach(async () => {
  await Promise.all(pools.map((p) => p.kill()))
  pools = []
})

function make(
  kind: 'thread' | 'process',
  opts: KindPoolOptions,
  deps: StandalonePoolDeps = standalonePoolDeps(),
): Pool {
  const pool = kind === 'thread' ? new ThreadPool(opts, deps) : new ProcessPool(opts, deps)
  pools.push(pool)
  return pool
}

const settled = (fs: Future[]): Promise<unknown> => wait(fs)
/** What a future ended as: 'ok', or its error's name (CancelledError for a cancelled one). */
const endedAs = (f: Future): string => {
  const out = f.outcome()
  return out === null ? 'not done' : out.ok ? 'ok' : out.error.name
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5))
}

describe.each(['thread', 'process'] as const)('%s pool futures', (kind) => {
  it('submit: done() false at once, result() gives the value, then done() true', async () => {
    const pool = make(kind, { size: 2 })
    const f = pool.submit<number>('workload.trivial', 7)
    expect(f.done()).toBe(false)
    expect(await f.result()).toBe(49)
    expect(f.done()).toBe(true)
    expect(await f.exception()).toBeNull()
  })

  it('a task that throws fails only its own future', async () => {
    const pool = make(kind, { size: 2 })
    const bad = pool.submit('workload.sqrt', -4)
    const good = pool.submit('workload.sqrt', 16)
    await expect(bad.result()).rejects.toThrow(/negative number \(-4\)/)
    expect((await bad.exception())?.message).toMatch(/negative/)
    expect(await good.result()).toBe(4)
  })

  it('map yields in input order with a chunksize, and raises when it reaches a failing item', async () => {
    const pool = make(kind, { size: 2 })
    expect(await pool.map('workload.sleep', [60, 5, 30, 0, 20], { chunksize: 2 })).toEqual([60, 5, 30, 0, 20])
    expect(await pool.map('workload.trivial', [...Array(10).keys()], { chunksize: 3 })).toEqual([
      0, 1, 4, 9, 16, 25, 36, 49, 64, 81,
    ])
    const seen: unknown[] = []
    const iterate = async (): Promise<void> => {
      for await (const v of pool.map('workload.sqrt', [4, 9, -1, 16])) seen.push(v)
    }
    await expect(iterate()).rejects.toThrow(/negative number \(-1\)/)
    expect(seen).toEqual([2, 3])
  })

  it('applyAsync calls back in completion order; errorCallback gets the error', async () => {
    const pool = make(kind, { size: 3 })
    await pool.ready()
    const order: number[] = []
    const errors: string[] = []
    const fs = [80, 5, 40].map((ms) =>
      pool.applyAsync<number>('workload.sleep', [ms], { callback: (v) => order.push(v) }),
    )
    fs.push(
      pool.applyAsync('workload.sqrt', [-2], {
        callback: () => order.push(-1),
        errorCallback: (e) => errors.push(e.message),
      }),
    )
    await settled(fs)
    expect(order).toEqual([5, 40, 80])
    expect(errors).toEqual([expect.stringMatching(/negative number \(-2\)/)])
  })

  it('asCompleted and imapUnordered deliver in completion order', async () => {
    const pool = make(kind, { size: 3 })
    await pool.ready()
    const fs = [90, 5, 45].map((ms) => pool.submit<number>('workload.sleep', ms))
    const done: number[] = []
    for await (const f of asCompleted(fs)) done.push(await f.result())
    expect(done).toEqual([5, 45, 90])
    const unordered: number[] = []
    for await (const v of pool.imapUnordered<number>('workload.sleep', [90, 5, 45])) unordered.push(v)
    expect(unordered).toEqual([5, 45, 90])
  })

  it('shutdown with cancelFutures cancels what has not started and waits for the rest', async () => {
    const pool = make(kind, { size: 1 })
    await pool.ready()
    const fs = [50, 50, 50, 50, 50].map((ms) => pool.submit('workload.sleep', ms))
    await until(() => fs[0].running())
    await pool.shutdown({ wait: true, cancelFutures: true })
    expect(fs[0].state).toBe('finished')
    expect(fs.at(-1)!.cancelled()).toBe(true)
    expect(fs.every((f) => f.done())).toBe(true)
    expect(() => pool.submit('workload.trivial', 1)).toThrow(/shut down/)
  })
})

describe('cancel', () => {
  it('thread pool: tasks sent ahead to a busy worker stay pending and cancellable until it starts them', async () => {
    const pool = make('thread', { size: 1 })
    await pool.ready()
    // Short tasks first, so the pool sends later ones ahead in batches.
    await Promise.all(Array.from({ length: 50 }, (_, i) => pool.submit('workload.trivial', i).result()))
    const fs = Array.from({ length: 40 }, (_, i) => pool.submit<number>('workload.sleep', i === 0 ? 300 : 2))
    await until(() => fs[0].running())
    const cancelled = fs.slice(1).filter((f) => f.cancel())
    expect(cancelled.length).toBeGreaterThan(30)
    await wait(fs)
    expect(fs.filter((f) => endedAs(f) === 'CancelledError')).toHaveLength(cancelled.length)
    expect(fs.filter((f) => f.state === 'finished')).toHaveLength(40 - cancelled.length)
    expect(fs.every((f) => f.done())).toBe(true)
  })

  it('thread pool: cancel() works on a pending future, not on one a worker took', async () => {
    const pool = make('thread', { size: 2 })
    await pool.ready()
    const [a, b, c] = [200, 200, 10].map((ms) => pool.submit('workload.sleep', ms))
    // Running means a worker started it (it flips the task's shared state word), not merely that it was sent.
    await until(() => a.running() && b.running())
    expect(c.state).toBe('pending')
    expect(a.cancel()).toBe(false)
    expect(c.cancel()).toBe(true)
    await expect(c.result()).rejects.toBeInstanceOf(CancelledError)
    expect(await a.result()).toBe(200)
    expect(c.done() && c.cancelled()).toBe(true)
  })

  it('process pool: like ProcessPoolExecutor, size + 1 futures count as running (the call queue)', async () => {
    const pool = make('process', { size: 2 })
    const fs = [100, 100, 100, 100, 100].map((ms) => pool.submit('workload.sleep', ms))
    expect(fs.map((f) => f.state)).toEqual(['running', 'running', 'running', 'pending', 'pending'])
    expect(fs[2].cancel()).toBe(false)
    expect(fs[3].cancel()).toBe(true)
    await wait(fs)
    expect(fs.map(endedAs)).toEqual(['ok', 'ok', 'ok', 'CancelledError', 'ok'])
  })
})

describe('a worker that dies', () => {
  it('process pool: SIGKILL fails the task it ran, naming the worker and signal; the pool keeps its size', async () => {
    const deps = standalonePoolDeps()
    const pool = make('process', { size: 2, name: 'crashy' }, deps)
    const victim = pool.submit('workload.sleep', 10_000)
    const others = Array.from({ length: 8 }, (_, i) => pool.submit<number>('workload.sleep', 20 + i))
    let worker: string | null = null
    await until(() => {
      const started = deps.outbox.events.find(
        (e): e is TaskEvent => e.type === 'task' && e.task === victim.id && e.phase === 'started',
      )
      worker = started?.worker ?? null
      return worker !== null && deps.units.get(worker)!.pid > 0
    })
    const pid = deps.units.get(worker!)!.pid
    process.kill(pid, 'SIGKILL')
    await expect(victim.result()).rejects.toThrow(
      new RegExp(`Worker "crashy / worker \\d" \\(pid ${pid}\\) was killed by SIGKILL while running task ${victim.id}`),
    )
    expect(await Promise.all(others.map((f) => f.result()))).toEqual(others.map((_, i) => 20 + i))
    expect(pool.size).toBe(2)
    expect(await pool.submit('workload.trivial', 3).result()).toBe(9)
    expect(pool.workerIds()).not.toContain(worker)
  })

  it('thread pool: process.exit in a task fails that task with its exit code; the rest settle', async () => {
    const pool = make('thread', { size: 2, name: 'exits' })
    const fs = Array.from({ length: 6 }, (_, i) => pool.submit<number>('workload.sleep', 10 + i))
    const victim = pool.submit('workload.exit', 7, 30)
    fs.push(...Array.from({ length: 6 }, (_, i) => pool.submit<number>('workload.sleep', 10 + i)))
    await expect(victim.result()).rejects.toThrow(
      /Worker "exits \/ worker \d" \(thread in pid \d+\) exited with code 7 while running task 7 \(workload.exit\)/,
    )
    const out = await Promise.all(fs.map((f) => f.result()))
    expect(out).toHaveLength(12)
    expect(pool.size).toBe(2)
    expect(await pool.submit('workload.trivial', 4).result()).toBe(16)
  })
})

describe('thread pool work stealing', () => {
  it('an idle worker takes tasks waiting behind a long one in another inbox', async () => {
    const pool = make('thread', { size: 2 })
    await pool.ready()
    // Trivial tasks first: the pool then sends tasks ahead, and some short ones land behind the long one.
    await Promise.all(Array.from({ length: 50 }, (_, i) => pool.submit('workload.trivial', i).result()))
    const order: string[] = []
    const long = pool.submit('workload.sleep', 1500)
    long.addDoneCallback(() => order.push('long'))
    const shorts = Array.from({ length: 20 }, (_, i) => pool.submit<number>('workload.sleep', 2 + (i % 2)))
    shorts.forEach((f) => f.addDoneCallback(() => order.push('short')))
    await Promise.all([long, ...shorts].map((f) => f.result()))
    expect(order.at(-1)).toBe('long')
    expect(order.filter((o) => o === 'short')).toHaveLength(20)
  })
})

describe('a thread worker that dies with tasks sent ahead', () => {
  it('fails only the task it had started; the ones waiting in its inbox run on the replacement', async () => {
    const pool = make('thread', { size: 1, name: 'ahead' })
    await pool.ready()
    await Promise.all(Array.from({ length: 50 }, (_, i) => pool.submit('workload.trivial', i).result()))
    const victim = pool.submit('workload.exit', 3, 20)
    const waiting = Array.from({ length: 30 }, (_, i) => pool.submit<number>('workload.trivial', i))
    await expect(victim.result()).rejects.toThrow(/Worker "ahead \/ worker 1" .* exited with code 3 while running task/)
    expect(await Promise.all(waiting.map((f) => f.result()))).toEqual(waiting.map((_, i) => i * i))
    expect(pool.size).toBe(1)
  })
})

describe.each(['thread', 'process'] as const)('%s pool resize under load', (kind) => {
  it('grows and shrinks while tasks run, losing none', async () => {
    const pool = make(kind, { size: 2 })
    const fs = Array.from({ length: 40 }, (_, i) => pool.submit<number>('workload.sleep', 5 + (i % 7)))
    await until(() => fs.filter((f) => f.done()).length >= 3)
    pool.resize(4)
    expect(pool.size).toBe(4)
    await until(() => fs.filter((f) => f.done()).length >= 12)
    pool.resize(1)
    expect(pool.size).toBe(1)
    await until(() => fs.filter((f) => f.done()).length >= 20)
    pool.resize(3)
    const out = await Promise.all(fs.map((f) => f.result()))
    expect(out).toEqual(fs.map((_, i) => 5 + (i % 7)))
    expect(pool.size).toBe(3)
    await until(() => pool.workerIds().length === 3)
  })
})
