// Which threads speak for a run in "why isn't it faster?", and the verdict the sentence then gives.
import { describe, expect, it } from 'vitest'
import type { TimeSplit, Unit } from '../../../shared/model'
import { whyNotFaster } from '../../../shared/time-split'
import { runSplit } from './why-not-faster'

const split = (onCpu: number, runqueue: number, on: Partial<TimeSplit['blockedOn']>): TimeSplit => {
  const blockedOn = { lock: 0, io: 0, sleep: 0, other: 0, ...on }
  return { onCpu, runqueue, blocked: blockedOn.lock + blockedOn.io + blockedOn.sleep + blockedOn.other, blockedOn }
}
const thread = (id: string): Unit => ({ id, kind: 'thread' }) as Unit

function verdict(splits: Record<string, TimeSplit>): { sentence: string; count: number } {
  const units = Object.keys(splits).map(thread)
  const r = runSplit(units, (id) => splits[id] ?? null)!
  return { sentence: whyNotFaster(r.split, r.count, 2), count: r.count }
}

describe('why a run is not faster', () => {
  it("a CPU-bound process pool: the parent's thread reading its pipes is not a worker", () => {
    const r = verdict({
      parent: split(0.5, 0, { io: 99.5 }),
      worker1: split(94, 3, { other: 3 }),
      worker2: split(93, 4, { other: 3 }),
    })
    expect(r.count).toBe(2)
    expect(r.sentence).toMatch(/limited by the CPU work itself/)
    expect(r.sentence).not.toMatch(/bound by I\/O/)
  })

  it('an I/O-bound run: threads that wait on I/O speak for it when none works on a CPU', () => {
    const r = verdict({ a: split(1, 0, { io: 99 }), b: split(2, 0, { io: 98 }), idle: split(0, 0, { lock: 100 }) })
    expect(r.count).toBe(2)
    expect(r.sentence).toMatch(/bound by I\/O/)
  })

  it('a thread pool on CPU work under the GIL: the workers take turns on a lock; the joining main thread is left out', () => {
    const r = verdict({
      main: split(0, 0, { lock: 100 }),
      w1: split(48, 4, { lock: 48 }),
      w2: split(50, 3, { lock: 47 }),
    })
    expect(r.count).toBe(2)
    expect(r.sentence).toMatch(/take turns on a lock/)
  })

  it('workers that use some CPU and wait on I/O still read I/O-bound', () => {
    const r = verdict({ a: split(10, 0, { io: 90 }), b: split(12, 1, { io: 87 }) })
    expect(r.sentence).toMatch(/bound by I\/O/)
  })
})
