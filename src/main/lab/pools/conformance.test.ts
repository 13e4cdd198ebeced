// What CPython's own suite (Lib/test/test_concurrent_futures) checks for futures, as_completed, wait, map, shutdown,
// initializers and worker crashes, rewritten here and run on both pools against a user's module. Real threads and
// processes; "events" are files a task waits for, so order never hangs on timing. Deliberate differences from Python
// are tested as such (see the README's list). One file for the whole suite (above 250 lines): the areas share the
// module, the events and the settled futures, as CPython's util.py shares them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CancelledError, Future, PoolError, TimeoutError, asCompleted, wait } from './index'
import { useUserModulePools } from '../testing/pool-fixture'

let dir = ''
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pool-conformance-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** An event: a file a `gate` task waits for. */
function event(): { path: string; set: () => void } {
  const path = join(dir, `event-${Math.random().toString(36).slice(2)}`)
  return { path, set: () => writeFileSync(path, '') }
}

/** Futures in fixed states, as CPython's util.py makes them. */
function settledFuture(how: 'ok' | 'error' | 'cancelled'): Future<number> {
  const f = new Future<number>(0, how)
  if (how === 'ok') f.resolve(42)
  else if (how === 'error') f.reject(new Error('this is an exception'))
  else f.cancel()
  return f
}

describe.each(['thread', 'process'] as const)('%s pool, as CPython tests its executors', (kind) => {
  const make = useUserModulePools(kind)

  describe('futures', () => {
    it('submit returns a future whose result is the value', async () => {
      const pool = make()
      expect(await pool.submit('mul', 2, 8).result()).toBe(16)
    })

    it('result() re-raises the task error; exception() returns it; done() after both', async () => {
      const pool = make()
      const f = pool.submit('divmod', 1, 0)
      await expect(f.result()).rejects.toBeInstanceOf(RangeError)
      expect(await f.exception()).toBeInstanceOf(RangeError)
      expect(f.done() && !f.cancelled() && f.state === 'finished').toBe(true)
    })

    it('result(timeout) raises TimeoutError and leaves the task running; it still finishes', async () => {
      const pool = make()
      const e = event()
      const f = pool.submit('gate', e.path, 'late')
      await expect(f.result(30)).rejects.toBeInstanceOf(TimeoutError)
      await expect(f.exception(0)).rejects.toBeInstanceOf(TimeoutError)
      expect(f.done()).toBe(false)
      e.set()
      expect(await f.result()).toBe('late')
    })

    it('done-callbacks run once done, in order added, also when added after; a cancelled future calls them too', async () => {
      const pool = make()
      const seen: string[] = []
      const f = pool.submit('mul', 3, 3)
      f.addDoneCallback((d) => seen.push(`a:${JSON.stringify(d.outcome())}`))
      f.addDoneCallback(() => seen.push('b'))
      await f.result()
      f.addDoneCallback(() => seen.push('late'))
      expect(seen).toEqual(['a:{"ok":true,"value":9}', 'b', 'late'])
      const c = new Future(1, 'c')
      let cancelledSeen = false
      c.addDoneCallback((d) => (cancelledSeen = d.cancelled()))
      c.cancel()
      expect(cancelledSeen).toBe(true)
    })

    it('cancel() only while pending: not a running nor a finished future', async () => {
      const pool = make({ size: 1 })
      const e = event()
      const busy = pool.submit('gate', e.path)
      // The process pool's call queue (size + 1) marks the next one running too: submit past it.
      const waiting = [pool.submit('mul', 1, 1), pool.submit('mul', 2, 2), pool.submit('mul', 3, 3)]
      const last = waiting.at(-1)!
      expect(last.cancel()).toBe(true)
      expect(last.cancel()).toBe(true)
      expect(last.cancelled() && last.done()).toBe(true)
      await expect(last.result()).rejects.toBeInstanceOf(CancelledError)
      await expect(last.exception()).rejects.toBeInstanceOf(CancelledError)
      while (!busy.running()) await new Promise((r) => setTimeout(r, 5))
      expect(busy.cancel()).toBe(false)
      e.set()
      expect(await busy.result()).toBe('ok')
      expect(busy.cancel()).toBe(false)
    })
  })

  describe('map', () => {
    it('yields in input order, with and without a chunksize', async () => {
      const pool = make()
      const pow = [...Array(10).keys()].map((i) => i * i)
      expect(await pool.map('square', [...Array(10).keys()])).toEqual(pow)
      expect(await pool.map('square', [...Array(10).keys()], { chunksize: 3 })).toEqual(pow)
    })

    it('raises when the iteration reaches a failing item', async () => {
      const pool = make()
      const it = pool.map<number>('sqrt', [1, 4, -1, 9])[Symbol.asyncIterator]()
      expect((await it.next()).value).toBe(1)
      expect((await it.next()).value).toBe(2)
      await expect(it.next()).rejects.toBeInstanceOf(RangeError)
    })

    it('timeout (from the call to map): the items done in time, then TimeoutError', async () => {
      const pool = make()
      await pool.ready()
      const open = event()
      open.set()
      const never = event()
      const got: unknown[] = []
      const run = async (): Promise<void> => {
        for await (const v of pool.map('gate', [open.path, open.path, never.path], { timeout: 1000 })) got.push(v)
      }
      await expect(run()).rejects.toBeInstanceOf(TimeoutError)
      expect(got).toEqual(['ok', 'ok'])
      never.set()
    })

    it('chunksize below 1 (or not whole) is refused, as Python refuses it', () => {
      const pool = make()
      for (const chunksize of [0, -1, 1.5])
        expect(() => pool.map('square', [1], { chunksize })).toThrow(/chunksize must be a whole number >= 1/)
    })

    it('a map larger than the call queue, then shutdown: nothing hangs', async () => {
      const pool = make()
      void pool.map('square', [2, 2, 2, 2])
      await pool.shutdown()
    })
  })

  describe('asCompleted', () => {
    it('yields settled and pending futures, each once, in completion order', async () => {
      const pool = make()
      const fs = [
        settledFuture('cancelled'),
        settledFuture('error'),
        settledFuture('ok'),
        pool.submit('mul', 2, 21),
        pool.submit('mul', 7, 6),
      ]
      const got = new Set<Future>()
      for await (const f of asCompleted([...fs, ...fs])) got.add(f)
      expect(got).toEqual(new Set(fs))
    })

    it('times out on the one still running, after yielding the ones done; the message counts them', async () => {
      const pool = make()
      const e = event()
      const done = [settledFuture('cancelled'), settledFuture('error'), settledFuture('ok')]
      for (const timeout of [0, 50]) {
        const seen = new Set<Future>()
        const running = pool.submit('gate', e.path)
        const run = async (): Promise<void> => {
          for await (const f of asCompleted([...done, running], { timeout })) seen.add(f)
        }
        await expect(run()).rejects.toThrow(new TimeoutError('1 (of 4) futures unfinished'))
        expect(seen).toEqual(new Set(done))
      }
      e.set()
    })
  })

  describe('wait', () => {
    it('ALL_COMPLETED with a future given twice', async () => {
      const pool = make()
      const f = pool.submit('mul', 1, 2)
      const { done, notDone } = await wait([f, f], { returnWhen: 'ALL_COMPLETED' })
      expect(done).toEqual(new Set([f]))
      expect(notDone.size).toBe(0)
    })

    it('FIRST_COMPLETED', async () => {
      const pool = make()
      const e = event()
      const f1 = pool.submit('mul', 21, 2)
      const f2 = pool.submit('gate', e.path)
      const { done, notDone } = await wait([f1, f2], { returnWhen: 'FIRST_COMPLETED' })
      expect(done).toEqual(new Set([f1]))
      expect(notDone).toEqual(new Set([f2]))
      e.set()
      await f2.result()
    })

    it('FIRST_EXCEPTION: returns at the first failure; a cancelled future is done but not a failure', async () => {
      const pool = make()
      const e = event()
      const hold = event()
      const f1 = pool.submit('mul', 2, 21)
      const f2 = pool.submit('gate', e.path, 'raise')
      const f3 = pool.submit('gate', hold.path)
      await f1.result()
      e.set()
      const cancelled = settledFuture('cancelled')
      const { done, notDone } = await wait([cancelled, f1, f2, f3], { returnWhen: 'FIRST_EXCEPTION' })
      expect(done).toEqual(new Set([cancelled, f1, f2]))
      expect(notDone).toEqual(new Set([f3]))
      const already = await wait([settledFuture('error'), f3], { returnWhen: 'FIRST_EXCEPTION' })
      expect(already.notDone).toEqual(new Set([f3]))
      hold.set()
      await f3.result()
    })

    it('timeout: returns what is done, the rest not done; a task error never throws', async () => {
      const pool = make()
      const e = event()
      const f = pool.submit('gate', e.path)
      const settled = [settledFuture('cancelled'), settledFuture('error'), settledFuture('ok')]
      const { done, notDone } = await wait([...settled, f], { timeout: 50 })
      expect(done).toEqual(new Set(settled))
      expect(notDone).toEqual(new Set([f]))
      e.set()
      await f.result()
    })

    it('bad returnWhen and timeout are refused, naming them', async () => {
      await expect(wait([], { returnWhen: 'SOMETIMES' as never })).rejects.toThrow(/returnWhen must be one of/)
      await expect(wait([], { timeout: -1 })).rejects.toThrow(/timeout must be a number of ms >= 0/)
    })
  })

  describe('shutdown', () => {
    it('submit after shutdown raises; shutdown twice is fine', async () => {
      const pool = make()
      await pool.shutdown()
      expect(() => pool.submit('mul', 1, 1)).toThrow(PoolError)
      await pool.shutdown()
    })

    it('wait=false returns at once; the tasks still finish', async () => {
      const pool = make()
      const e = event()
      const fs = [pool.submit('gate', e.path), pool.submit('mul', 2, 3)]
      await pool.shutdown({ wait: false })
      e.set()
      expect(await Promise.all(fs.map((f) => f.result()))).toEqual(['ok', 6])
    })

    it('cancelFutures cancels what has not started', async () => {
      const pool = make({ size: 1 })
      const e = event()
      const fs = [pool.submit('gate', e.path), ...[1, 2, 3, 4].map((x) => pool.submit('square', x))]
      while (!fs[0].running()) await new Promise((r) => setTimeout(r, 5))
      const stopping = pool.shutdown({ cancelFutures: true })
      e.set()
      await stopping
      await expect(fs[0].result()).resolves.toBe('ok')
      expect(fs.at(-1)!.cancelled()).toBe(true)
    })
  })

  describe('initializer', () => {
    it('runs in every worker before its tasks', async () => {
      const pool = make({ initializer: 'setBase', initargs: [100] })
      expect(await pool.map('addBase', [1, 2, 3, 4])).toEqual([101, 102, 103, 104])
    })

    it('one that throws breaks the pool: waiting futures fail and submit raises, naming the initializer', async () => {
      const pool = make({ initializer: 'boom' })
      const fs = [1, 2, 3].map((x) => pool.submit('square', x))
      for (const f of fs)
        await expect(f.result()).rejects.toThrow(
          /broken: the initializer boom failed .*initializer says no|loading .* or its initializer boom failed.*initializer says no/,
        )
      expect(() => pool.submit('square', 1)).toThrow(/is broken/)
    })
  })

  describe('workers', () => {
    it('an idle worker is reused before a new one starts', async () => {
      const pool = make({ size: 4 })
      for (let i = 0; i < 5; i++) await pool.submit('mul', i, i).result()
      expect(pool.workerIds()).toHaveLength(1)
    })

    it('maxTasksPerChild: a worker is replaced after that many tasks', async () => {
      const pool = make({ size: 1, maxTasksPerChild: 2 })
      const who: string[] = []
      for (let i = 0; i < 6; i++) who.push(await pool.submit<string>('whoAmI').result())
      expect(new Set(who).size).toBe(3)
      expect(who[0]).toBe(who[1])
      expect(who[1]).not.toBe(who[2])
      expect(() => make({ maxTasksPerChild: 0 })).toThrow(/maxTasksPerChild: must be a whole number >= 1/)
    })

    it('timeScale below 1 or not a number is refused, naming it', () => {
      for (const timeScale of [0, 0.5, Number.NaN])
        expect(() => make({ timeScale })).toThrow(/timeScale: must be a number >= 1/)
    })

    it('size 0 or below is refused, as max_workers is', () => {
      for (const size of [0, -1]) expect(() => make({ size })).toThrow(/size: Pool size must be a whole number from 1/)
    })

    it('a worker that dies fails only its running task (Python would break the pool); the rest run', async () => {
      const pool = make({ size: 1 })
      const before = pool.submit('mul', 2, 2)
      const crash = pool.submit('exit', 3)
      const after = [pool.submit('mul', 3, 3), pool.submit('mul', 4, 4)]
      expect(await before.result()).toBe(4)
      await expect(crash.result()).rejects.toThrow(/exited with code 3 while running task/)
      expect(await Promise.all(after.map((f) => f.result()))).toEqual([9, 16])
    })
  })
})
