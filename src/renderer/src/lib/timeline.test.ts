import { describe, expect, it } from 'vitest'
import type { TaskEvent } from '../../../shared/model'
import { RingBuffer } from './ring-buffer'
import {
  MAX_TRANSITIONS,
  cpuAlpha,
  cpuSpans,
  firstCovering,
  laneSegments,
  osSegments,
  pushTransition,
  taskBars,
  type Transition,
} from './timeline'

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

describe('firstCovering', () => {
  it('finds the transition in force at a time by bisection', () => {
    const list: Transition[] = [0, 10, 20, 30].map((t) => ({ t, state: 'running' }))
    expect(firstCovering(list, -5)).toBe(0)
    expect(firstCovering(list, 10)).toBe(1)
    expect(firstCovering(list, 25)).toBe(2)
    expect(firstCovering(list, 99)).toBe(3)
    expect(firstCovering([], 5)).toBe(0)
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

describe('taskBars', () => {
  const ev = (pool: string, task: number, phase: TaskEvent['phase'], t: number, worker: string | null): TaskEvent => ({
    type: 'task',
    t,
    runId: 'r1',
    pool,
    task,
    name: 'square',
    phase,
    worker,
  })

  it('pairs a start with its finish by pool and task number: two pools of one run both have a task 1', () => {
    const bars = taskBars([
      ev('thread pool', 1, 'started', 0, 'a'),
      ev('process pool', 1, 'started', 5, 'b'),
      ev('thread pool', 1, 'finished', 10, 'a'),
      ev('process pool', 1, 'finished', 20, 'b'),
    ])
    expect(bars.get('a')).toEqual([{ start: 0, end: 10 }])
    expect(bars.get('b')).toEqual([{ start: 5, end: 20 }])
  })

  it('a finish whose start is gone is a bar of its own end; events without a worker draw nothing', () => {
    const bars = taskBars([
      ev('p', 7, 'submitted', 0, null),
      ev('p', 7, 'finished', 30, 'a'),
      ev('p', 8, 'finished', 40, null),
    ])
    expect(bars.get('a')).toEqual([{ start: 30, end: 30 }])
    expect(bars.size).toBe(1)
  })
})

describe('osSegments', () => {
  it('holds each OS letter until the next sample, clipped to the window', () => {
    const list = [
      { t: 100, os: 'R' },
      { t: 300, os: 'S' },
      { t: 500, os: 'R' },
    ]
    expect(osSegments(list, 200, 600)).toEqual([
      { start: 200, end: 300, os: 'R' },
      { start: 300, end: 500, os: 'S' },
      { start: 500, end: 600, os: 'R' },
    ])
    // Before the first sample the lane is as the lab's state says (runnable).
    expect(osSegments(list, 0, 150)).toEqual([
      { start: 0, end: 100, os: 'R' },
      { start: 100, end: 150, os: 'R' },
    ])
  })
})

describe('cpuSpans', () => {
  const ring = (values: number[], capacity = 100): RingBuffer => {
    const r = new RingBuffer(capacity)
    for (const v of values) r.push(v)
    return r
  }
  // Ticks every 100 ms; the first sample has no CPU yet.
  const times = ring([0, 100, 200, 300, 400])
  const cpu = ring([NaN, 10, 80, 100, 0])

  it('gives each sample the interval since the one before, clipped to the window', () => {
    expect(cpuSpans(times, cpu, 0, 400)).toEqual([
      { start: 0, end: 100, cpu: 10 },
      { start: 100, end: 200, cpu: 80 },
      { start: 200, end: 300, cpu: 100 },
      { start: 300, end: 400, cpu: 0 },
    ])
    expect(cpuSpans(times, cpu, 150, 250)).toEqual([
      { start: 150, end: 200, cpu: 80 },
      { start: 200, end: 250, cpu: 100 },
    ])
  })

  it('is empty before the first interval, after the last, and for one sample', () => {
    expect(cpuSpans(times, cpu, 500, 900)).toEqual([])
    expect(cpuSpans(ring([0]), ring([50]), 0, 100)).toEqual([])
    expect(cpuSpans(ring([]), ring([]), 0, 100)).toEqual([])
  })

  it('reads a ring buffer that wrapped, oldest first', () => {
    const t = ring([0, 100, 200, 300, 400, 500], 4)
    const c = ring([NaN, 1, 2, 3, 4, 5], 4)
    expect(cpuSpans(t, c, 0, 1000)).toEqual([
      { start: 200, end: 300, cpu: 3 },
      { start: 300, end: 400, cpu: 4 },
      { start: 400, end: 500, cpu: 5 },
    ])
  })

  it('shades in proportion to CPU, one core and above at the most', () => {
    expect(cpuAlpha(0)).toBe(0)
    expect(cpuAlpha(50, 0.4)).toBeCloseTo(0.2)
    expect(cpuAlpha(250, 0.4)).toBeCloseTo(0.4)
    expect(cpuAlpha(-5)).toBe(0)
  })
})
