import { describe, expect, it } from 'vitest'
import type { TaskEvent } from '../../../shared/model'
import { fakeUnit } from '../../../../test/fixtures/unit'
import {
  laneLabel,
  laneOrder,
  laneTicks,
  lockTicks,
  MAIN_LANE,
  MIN_SPAN_MS,
  niceStep,
  panWindow,
  taskStrips,
  zoomWindow,
} from './timeline-events'

const task = (patch: Partial<TaskEvent>): TaskEvent => ({
  type: 'task',
  t: 0,
  runId: 'r1',
  pool: 'pool',
  task: 1,
  name: 'pool-async.square',
  phase: 'submitted',
  worker: null,
  ...patch,
})

describe('timeline events', () => {
  it('puts the lanes that carry tasks first and folds helpers away', () => {
    const units = [fakeUnit('u1'), fakeUnit('u2', { helper: true }), fakeUnit('u3'), fakeUnit('u4')]
    const tasks = [task({ phase: 'finished', worker: 'u4' })]
    expect(laneOrder(units, tasks, false).map((u) => u.id)).toEqual(['u4', 'u1', 'u3'])
    expect(laneOrder(units, tasks, true).map((u) => u.id)).toEqual(['u4', 'u1', 'u2', 'u3'])
  })

  it('leaves out a process whose main thread has its lane, named as the process', () => {
    const units = [
      fakeUnit('u1', { kind: 'program', pid: 7 }),
      fakeUnit('u2', { pid: 7, tid: 7, label: 'pool worker 2 (main thread)' }),
      fakeUnit('u3', { kind: 'program', pid: 8 }),
    ]
    expect(laneOrder(units, [], false).map((u) => u.id)).toEqual(['u2', 'u3'])
    expect(laneLabel('py-pool-async / pool worker 2 (main thread)')).toBe('pool worker 2')
  })

  it('reads lock acquire and release from state changes', () => {
    const ticks = lockTicks([
      { t: 0, state: 'running' },
      { t: 1, state: 'waiting' },
      { t: 5, state: 'holding' },
      { t: 9, state: 'running' },
    ])
    expect(ticks.map((t) => [t.t, t.kind])).toEqual([
      [5, 'acquire'],
      [9, 'release'],
    ])
  })

  it('ticks prints on their unit, run-level lines and submits on the main lane', () => {
    const ticks = laneTicks(
      [
        { t: 1, unit: 'u1', runId: 'r1', text: 'khanh thread: 5', stream: 'out' },
        { t: 2, unit: null, runId: 'r1', text: 'done() right after submit: false', stream: 'out' },
      ],
      [{ type: 'mark', t: 3, runId: 'r1', text: 'one got 15', kind: 'queue.get', unit: 'u2' }],
      [task({ t: 0 })],
    )
    expect(ticks.get('u1')!.map((t) => t.kind)).toEqual(['print'])
    expect(ticks.get('u2')!.map((t) => t.kind)).toEqual(['queue.get'])
    expect(ticks.get(MAIN_LANE)!.map((t) => t.kind)).toEqual(['print', 'submit'])
  })

  it('says what each task computed, where, and for how long', () => {
    const strips = taskStrips(
      [
        task({ phase: 'started', t: 10, worker: 'u3' }),
        task({ phase: 'finished', t: 22, worker: 'u3', call: 'square(7)', value: '49', ok: true }),
      ],
      () => 'worker 3',
    )
    expect(strips.get('u3')![0].text).toBe('square(7) → 49 on worker 3, 12 ms')
  })

  it('zooms around a point down to a few ms and pans within the run', () => {
    let [a, b] = [0, 200]
    for (let i = 0; i < 40; i++) [a, b] = zoomWindow(a, b, 100, 0.5, 0, 200)
    expect(b - a).toBe(MIN_SPAN_MS)
    expect(a).toBeLessThanOrEqual(100)
    expect(b).toBeGreaterThanOrEqual(100)
    expect(panWindow(0, 10, -50, 0, 200)).toEqual([0, 10])
    expect(panWindow(0, 10, 500, 0, 200)).toEqual([190, 200])
    expect(niceStep(40, 800)).toBe(5)
    expect(niceStep(8, 800)).toBe(1)
  })
})
