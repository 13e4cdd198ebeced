import { describe, expect, it } from 'vitest'
import { MAX_TRANSITIONS, laneSegments, pushTransition, type Transition } from './timeline'

describe('laneSegments', () => {
  const list: Transition[] = [
    { t: 0, state: 'starting' },
    { t: 10, state: 'running' },
    { t: 20, state: 'waiting' },
    { t: 50, state: 'holding' },
    { t: 90, state: 'exited' },
  ]

  it('splits a lane at each change and stops at the final state', () => {
    const { segments, doneAt, final } = laneSegments(list, 0, 200)
    expect(segments).toEqual([
      { start: 0, end: 10, state: 'starting' },
      { start: 10, end: 20, state: 'running' },
      { start: 20, end: 50, state: 'waiting' },
      { start: 50, end: 90, state: 'holding' },
    ])
    expect(doneAt).toBe(90)
    expect(final).toBe('exited')
  })

  it('clips to the window and runs a live lane up to now', () => {
    const { segments, doneAt } = laneSegments(list.slice(0, 3), 15, 40)
    expect(segments).toEqual([
      { start: 15, end: 20, state: 'running' },
      { start: 20, end: 40, state: 'waiting' },
    ])
    expect(doneAt).toBeNull()
  })
})

describe('pushTransition', () => {
  it('ignores repeats and stays bounded', () => {
    const list: Transition[] = []
    pushTransition(list, { t: 0, state: 'running' })
    pushTransition(list, { t: 1, state: 'running' })
    expect(list).toHaveLength(1)
    for (let i = 0; i < MAX_TRANSITIONS + 10; i++) pushTransition(list, { t: i, state: i % 2 ? 'waiting' : 'holding' })
    expect(list.length).toBeLessThanOrEqual(MAX_TRANSITIONS)
  })
})
