// The sentence that answers "why isn't this faster?" for the three cases a learner meets, and the letters' meanings.
import { describe, expect, it } from 'vitest'
import type { TimeSplit } from './model'
import { meanSplit, OS_STATES, whyNotFaster } from './time-split'

const split = (onCpu: number, runqueue: number, on: Partial<TimeSplit['blockedOn']> = {}): TimeSplit => {
  const blockedOn = { lock: 0, io: 0, sleep: 0, other: 0, ...on }
  return { onCpu, runqueue, blocked: blockedOn.lock + blockedOn.io + blockedOn.sleep + blockedOn.other, blockedOn }
}

describe('whyNotFaster', () => {
  it('a Python thread pool on CPU work: half on a CPU, half on a lock, the GIL', () => {
    const s = whyNotFaster(split(48, 3, { lock: 47, other: 2 }), 2, 2)
    expect(s).toMatch(/on a CPU 48 %/)
    expect(s).toMatch(/blocked 49 %, mostly on a lock or condition \(futex\)\. /)
    expect(s).toMatch(/GIL/)
  })

  it('four busy processes on two cores: waiting for a CPU', () => {
    const s = whyNotFaster(split(50, 49, { other: 1 }), 4, 2)
    expect(s).toMatch(/waiting for a CPU 49 %/)
    expect(s).toMatch(/4 busy threads share 2 cores/)
  })

  it('an I/O-bound pool: blocked on I/O', () => {
    expect(whyNotFaster(split(6, 1, { io: 90, other: 3 }), 8, 2)).toMatch(/bound by I\/O/)
  })

  it('a CPU-bound thread alone: limited by its own work', () => {
    expect(whyNotFaster(split(97, 2, { other: 1 }), 1, 2)).toMatch(
      /^Its busy thread is on a CPU 97 %.*limited by the CPU work/,
    )
  })

  it('averages splits; R means runnable, not "on a CPU"', () => {
    expect(meanSplit([split(100, 0), split(0, 0, { sleep: 100 })])).toEqual(split(50, 0, { sleep: 50 }))
    expect(meanSplit([])).toBeNull()
    expect(OS_STATES.R).toMatch(/^runnable/)
  })
})
