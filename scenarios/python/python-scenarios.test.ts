// The Python scenarios run with real python3 under the lab: the tutorial's outcomes, and events mapped to units.
import { describe, expect, it, vi } from 'vitest'
import type { LabEvent, StateEvent, TaskEvent, Unit } from '../../src/shared/model'
import { procExists, recordTicks, runToEnd, useLabs, waitFor } from '../../src/main/lab/testing/lab-fixture'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pythonAvailability, pythonScriptDir } from './catalog'

const newLab = useLabs()

async function run(scenario: string, params: Record<string, unknown> = {}) {
  const lab = newLab()
  const ticks = recordTicks(lab)
  const info = await runToEnd(lab, scenario, params)
  await lab.flush()
  expect(info.status, info.error ?? '').toBe('done')
  const units = (await lab.snapshot()).units.filter((u) => u.runId === info.id)
  const events: LabEvent[] = ticks.flatMap((t) => t.events)
  const logs = ticks.flatMap((t) => t.logs).filter((l) => l.runId === info.id)
  return { info, result: info.result as Record<string, unknown>, units, events, logs }
}

const byName = (order: string[], name: string): string[] => order.filter((l) => l.startsWith(`${name} `))

describe.skipIf(!pythonAvailability().available)('Python scenarios', () => {
  it.each(['thread', 'process'])('counters (%s): each unit prints 5..1 once; lines interleave', async (mode) => {
    const { result, logs, units } = await run('py-counters', { mode })
    // A program that ends by itself: its processes and threads exited, none were killed.
    expect(units.map((u) => u.state).every((s) => s === 'exited')).toBe(true)
    const order = result.order as string[]
    for (const name of ['khanh', 'ai'])
      expect(byName(order, name)).toEqual([5, 4, 3, 2, 1].map((k) => `${name} ${mode}: ${k}`))
    expect(order.slice(0, 5).every((l) => l.startsWith(order[0].split(' ')[0]))).toBe(false)
    expect(logs.map((l) => l.text)).toContain(`khanh ${mode}: 5`)
    expect(logs.map((l) => l.text)).toContain(`Start ${mode} khanh`)
    expect(logs.map((l) => l.text)).toContain(`End ${mode} ai`)
    const first = logs.find((l) => l.text === `khanh ${mode}: 5`)!
    expect(first.unit).not.toBeNull()
    // The line that printed it, in counters.py: a lab.say call.
    const source = readFileSync(join(pythonScriptDir(), 'counters.py'), 'utf8').split('\n')
    expect(source[first.line! - 1]).toContain('lab.say(text)')
    // The result lists the count lines in the order the log shows them.
    expect(logs.map((l) => l.text).filter((t) => / (thread|process): \d$/.test(t))).toEqual(order)
  })

  it.each(['thread', 'process'])(
    'counters + lock (%s): serialised, and the timeline shows waiting and holding',
    async (mode) => {
      const { result, events, units } = await run('py-counters', { mode, lock: true })
      const order = result.order as string[]
      const first = order[0].split(':')[0]
      expect(order.slice(0, 5).every((l) => l.startsWith(`${first}:`))).toBe(true)
      const states = events.filter((e): e is StateEvent => e.type === 'state' && units.some((u) => u.id === e.unit))
      expect(states.some((e) => e.state === 'holding')).toBe(true)
      expect(states.some((e) => e.state === 'waiting')).toBe(true)
      // Reported by the unit that holds the lock: a named thread (thread mode) or a child's main thread (process mode).
      const holder = units.find((u) => u.id === states.find((e) => e.state === 'holding')!.unit)!
      expect(holder.kind).toBe('thread')
      expect(['khanh', 'ai']).toContain(holder.command)
    },
  )

  it.each(['thread', 'process'])(
    'counters (%s): the lock flipped live reaches the looping Python units; Stop ends them',
    async (mode) => {
      const lab = newLab()
      const ticks = recordTicks(lab)
      const run = await lab.start({ scenario: 'py-counters', params: { mode, loop: true, lock: false } })
      const held = (): boolean => ticks.some((t) => t.events.some((e) => e.type === 'state' && e.state === 'holding'))
      expect(
        await waitFor(
          () => ticks.some((t) => t.logs.some((l) => l.runId === run.id && l.text === `ai ${mode}: 1`)),
          15_000,
        ),
      ).toBe(true)
      expect(held()).toBe(false)
      await lab.setLock({ runId: run.id, on: true })
      expect(await waitFor(held, 10_000)).toBe(true)
      const pids = (await lab.snapshot()).units
        .filter((u) => u.runId === run.id && u.kind === 'program')
        .map((u) => u.pid)
      expect((await lab.stop({ runId: run.id })).status).toBe('stopped')
      expect(await waitFor(() => pids.every((pid) => !procExists(pid)), 5000)).toBe(true)
    },
  )

  it('shared-array: a plain list is copied, both print -1..-4 and the parent keeps [1, 2, 3, 4]', async () => {
    const { result } = await run('py-shared-array', { shared: false })
    expect(result.passes).toEqual([
      { name: expect.any(String), printed: [-1, -2, -3, -4] },
      { name: expect.any(String), printed: [-1, -2, -3, -4] },
    ])
    expect(result.final).toEqual([1, 2, 3, 4])
  })

  it('shared-array: a multiprocessing.Array is shared, the second process prints 1..4', async () => {
    const { result, units } = await run('py-shared-array', { shared: true })
    const passes = result.passes as { printed: number[] }[]
    expect(passes.map((p) => p.printed)).toEqual([
      [-1, -2, -3, -4],
      [1, 2, 3, 4],
    ])
    expect(result.final).toEqual([1, 2, 3, 4])
    expect(units.filter((u) => u.kind === 'program').length).toBeGreaterThanOrEqual(3)
  })

  it('queue: every item taken exactly once, in FIFO order overall, by both consumers', async () => {
    const { result } = await run('py-queue')
    const taken = result.taken as { item: number; by: string }[]
    expect(taken.map((t) => t.item)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(taken.filter((t) => t.by === 'khanh')).toHaveLength(5)
    expect(taken.filter((t) => t.by === 'ai')).toHaveLength(5)
  })

  it('queue-drain: "one" takes all four and totals 32, "two" finds nothing', async () => {
    const { result } = await run('py-queue-drain')
    expect(result).toEqual({ one: { taken: [15, 10, 5, 2], total: 32 }, two: { taken: [], total: 0 } })
  })

  it('pool-async: all 20 squares, in completion order; task bars run on the pool worker processes', async () => {
    const { result, events, units, logs } = await run('py-pool-async')
    const results = result.results as number[]
    expect([...results].sort((a, b) => a - b)).toEqual(result.submitted)
    expect(results).not.toEqual(result.submitted)
    const tasks = events.filter((e): e is TaskEvent => e.type === 'task')
    expect(tasks.filter((t) => t.phase === 'submitted')).toHaveLength(20)
    const finished = tasks.filter((t) => t.phase === 'finished')
    expect(finished).toHaveLength(20)
    const root = units.find((u) => u.kind === 'program' && u.spawned)!
    const workers = new Set(finished.map((t) => t.worker))
    for (const w of workers) {
      const unit = units.find((u) => u.id === w) as Unit
      expect(unit.kind).toBe('thread')
      expect(unit.pid).not.toBe(root.pid)
    }
    expect(finished.every((t) => t.ok === true && typeof t.cpuMs === 'number')).toBe(true)
    // Each finished task says what it computed, for the timeline's hover.
    const seven = finished.find((t) => t.call?.startsWith('square(7,'))!
    expect(seven.value).toBe('49')
    // Worker processes carry their role; the pool's handler threads are helpers, except the one running the callbacks.
    const procs = units.filter((u) => u.kind === 'program' && !u.spawned)
    expect(procs.map((u) => u.label).sort()).toEqual([
      'pool worker 1',
      'pool worker 2',
      'pool worker 3',
      'pool worker 4',
      'pool worker 5',
    ])
    const rootThreads = units.filter((u) => u.kind === 'thread' && u.pid === root.pid)
    expect(
      rootThreads
        .filter((u) => u.helper)
        .map((u) => u.label)
        .sort(),
    ).toEqual(
      ['lab flags reader', 'pool task handler', 'pool worker handler'].filter((l) =>
        rootThreads.some((u) => u.label === l),
      ),
    )
    expect(rootThreads.filter((u) => u.helper).length).toBeGreaterThanOrEqual(2)
    const callbacks = rootThreads.find((u) => u.label === 'callbacks')!
    expect(callbacks.helper).toBeFalsy()
    expect(logs.filter((l) => l.text.startsWith('callback got')).every((l) => l.unit === callbacks.id)).toBe(true)
  })

  it.each(['process', 'thread'])(
    'executor (%s): done() false after submit, result "Completed task1!", then done()',
    async (executor) => {
      const { result, units } = await run('py-executor', { executor })
      expect(result).toMatchObject({ doneAfterSubmit: false, result: 'Completed task1!', doneAfterResult: true })
      expect(units.some((u) => u.kind === 'thread' && u.command === 'executor')).toBe(true)
    },
  )

  it.each(['process', 'thread'])('executor-map (%s): 100, 100, 100, 400 in input order', async (executor) => {
    const { result } = await run('py-executor-map', { executor })
    expect(result.areas).toEqual([100, 100, 100, 400])
  })

  it('startup-cost: first-result times for fork, spawn and threads, beside the tutorial', async () => {
    const { result } = await run('py-startup-cost', { repeat: 1 })
    const medians = result.medianMs as Record<string, number>
    expect(Object.keys(medians).sort()).toEqual(['process-fork', 'process-spawn', 'thread'])
    expect(Object.values(medians).every((ms) => ms > 0)).toBe(true)
    expect(result.tutorial).toEqual({ process: 0.072, thread: 0.001 })
  })

  it('cpu-vs-io: speed-ups of each pool against the serial run, for both jobs', async () => {
    const { result } = await run('py-cpu-vs-io', { work: 100 })
    const jobs = result.jobs as Record<string, Record<string, { seconds: number; speedup: number }>>
    expect(Object.keys(jobs)).toEqual(['cpu', 'io'])
    for (const job of Object.values(jobs)) expect(Object.keys(job)).toEqual(['serial', 'thread', 'process'])
    // Sleeping tasks overlap on either pool (no timing threshold: only that they do overlap at all).
    expect(jobs.io.thread.speedup).toBeGreaterThan(1.2)
  })
})

describe('Python availability', () => {
  it('lists the Python scenarios as unavailable, with the reason, when python3 is missing', async () => {
    vi.resetModules()
    vi.stubEnv('PARALLEL_LAB_PYTHON', 'python3-that-does-not-exist')
    try {
      const { Lab } = await import('../../src/main/lab/lab')
      const { scenarios } = await import('../index')
      const lab = new Lab({ scenarios, autoStart: false })
      const list = await lab.listScenarios()
      const py = list.filter((s) => s.runtime === 'python')
      expect(py.map((s) => s.id)).toContain('py-counters')
      expect(
        py.every(
          (s) =>
            !s.available &&
            s.reason === 'python3-that-does-not-exist was not found: install Python 3 to run the Python scenarios.',
        ),
      ).toBe(true)
      expect(list.find((s) => s.id === 'counters')?.available).toBe(true)
      await expect(lab.start({ scenario: 'py-counters' })).rejects.toThrow('was not found')
      await lab.close()
    } finally {
      vi.unstubAllEnvs()
      vi.resetModules()
    }
  })
})
