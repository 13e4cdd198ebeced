// Every tutorial scenario on real threads and real processes, checked for the outcome SCENARIOS.md asks for.
import { describe, expect, it } from 'vitest'
import type { TaskEvent } from '../src/shared/model'
import { recordTicks, runToEnd, useLabs } from '../src/main/lab/testing/lab-fixture'

const modes = ['thread', 'process'] as const
const newLab = useLabs()

/** How many times consecutive lines change unit ("khanh thread: 5" -> "ai thread: 5" is one switch). */
function switches(order: string[]): number {
  let n = 0
  for (let i = 1; i < order.length; i++) if (order[i].split(' ')[0] !== order[i - 1].split(' ')[0]) n++
  return n
}

function linesOf(order: string[], name: string): string[] {
  return order.filter((l) => l.startsWith(`${name} `))
}

describe.each(modes)('counters in %s mode', (mode) => {
  it("without the lock, the units' lines interleave and each prints 5..1 once", async () => {
    const info = await runToEnd(newLab(), 'counters', { mode })
    expect(info.status).toBe('done')
    const { order } = info.result as { order: string[] }
    for (const name of ['khanh', 'ai'])
      expect(linesOf(order, name)).toEqual([5, 4, 3, 2, 1].map((k) => `${name} ${mode}: ${k}`))
    expect(switches(order)).toBeGreaterThanOrEqual(2)
  })

  it("with the lock, all lines of one unit come before the next unit's", async () => {
    const info = await runToEnd(newLab(), 'counters', { mode, lock: true, workers: 3 })
    expect(info.status).toBe('done')
    const { order } = info.result as { order: string[] }
    expect(order).toHaveLength(15)
    expect(switches(order)).toBe(2)
    for (const name of ['khanh', 'ai', 'binh'])
      expect(linesOf(order, name)).toEqual([5, 4, 3, 2, 1].map((k) => `${name} ${mode}: ${k}`))
  })

  it('the timeline records lock waits and holds', async () => {
    const lab = newLab()
    const ticks = recordTicks(lab)
    const run = await lab.start({ scenario: 'counters', params: { mode, lock: true } })
    await lab.wait(run.id)
    await lab.flush()
    const states = ticks
      .flatMap((t) => t.events)
      .filter((e) => e.type === 'state')
      .map((e) => e.state)
    expect(states).toContain('holding')
    expect(states).toContain('waiting')
    const summary = await lab.summary({ runId: run.id })
    expect(Math.max(...summary.units.map((u) => u.lockWaitMs))).toBeGreaterThan(20)
  })
})

describe.each(modes)('shared-array in %s mode', (mode) => {
  it('copied: both units print -1..-4', async () => {
    const info = await runToEnd(newLab(), 'shared-array', { mode, shared: false })
    const { passes } = info.result as { passes: { printed: number[] }[] }
    expect(passes.map((p) => p.printed)).toEqual([
      [-1, -2, -3, -4],
      [-1, -2, -3, -4],
    ])
  })

  it("shared: the second unit flips the first one's work back and prints 1..4", async () => {
    const info = await runToEnd(newLab(), 'shared-array', { mode, shared: true })
    const { passes, final } = info.result as { passes: { printed: number[] }[]; final: number[] }
    expect(passes.map((p) => p.printed)).toEqual([
      [-1, -2, -3, -4],
      [1, 2, 3, 4],
    ])
    expect(final).toEqual([1, 2, 3, 4])
  })
})

describe.each(modes)('queues in %s mode', (mode) => {
  it('queue: each of 0..9 is taken exactly once, in FIFO order, by both consumers', async () => {
    const info = await runToEnd(newLab(), 'queue', { mode })
    const { taken } = info.result as { taken: { item: number; by: string }[] }
    expect(taken.map((t) => t.item)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(taken.filter((t) => t.by === 'khanh')).toHaveLength(5)
    expect(taken.filter((t) => t.by === 'ai')).toHaveLength(5)
  })

  it('queue-drain: "one" totals 32, "two" has nothing to do', async () => {
    const info = await runToEnd(newLab(), 'queue-drain', { mode })
    expect(info.result).toEqual({
      tasks: [
        { name: 'one', took: [15, 10, 5, 2], total: 32 },
        { name: 'two', took: [], total: 0 },
      ],
    })
  })
})

describe.each(modes)('pools in %s mode', (mode) => {
  it('pool-async: all 20 squares arrive, in the recorded completion order', async () => {
    const lab = newLab()
    const ticks = recordTicks(lab)
    const run = await lab.start({ scenario: 'pool-async', params: { mode, jitter: 200 } })
    const info = await lab.wait(run.id)
    await lab.flush()
    const { results } = info.result as { results: number[] }
    expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, x) => x * x))
    const finished = ticks
      .flatMap((t) => t.events)
      .filter((e): e is TaskEvent => e.type === 'task' && e.phase === 'finished' && e.runId === run.id)
    expect(finished).toHaveLength(20)
    const workers = new Set(finished.map((e) => e.worker))
    expect(workers.size).toBeGreaterThan(1)
    // The callback list follows completion order: each result's task ended no later than the next one's, up to the
    // time a result takes to travel from its worker to the parent (end times are the workers' own; on a loaded
    // machine two workers' results can cross by a few ms, so the slack is generous: it still catches callbacks made in
    // submission order, since the tasks' 200 ms jitter spreads their ends far wider).
    const endOf = new Map(finished.map((e) => [(e.task - 1) * (e.task - 1), e.t]))
    const ends = results.map((square) => endOf.get(square)!)
    for (let i = 1; i < ends.length; i++) expect(ends[i] + 25).toBeGreaterThanOrEqual(ends[i - 1])
  })

  it('executor: done() is false after submit, result() is "Completed task1!", then done() is true', async () => {
    const info = await runToEnd(newLab(), 'executor', { mode })
    expect(info.result).toEqual({ doneAfterSubmit: false, result: 'Completed task1!', doneAfterResult: true })
  })

  it('executor-map: 100, 100, 100, 400 in input order, with and without chunks', async () => {
    for (const chunksize of [1, 3]) {
      const info = await runToEnd(newLab(), 'executor-map', { mode, chunksize })
      expect(info.result).toEqual({ areas: [100, 100, 100, 400] })
    }
  })
})

describe('startup-cost', () => {
  it('measures start-up to first result for both pool kinds', async () => {
    const info = await runToEnd(newLab(), 'startup-cost', { repeat: 1 })
    const r = info.result as { processMs: number; threadMs: number }
    expect(r.processMs).toBeGreaterThan(0)
    expect(r.threadMs).toBeGreaterThan(0)
  })
})
