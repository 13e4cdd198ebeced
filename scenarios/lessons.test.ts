// Every lesson, Node and Python, run for real with default parameters: its verdict holds. Set up to break it, it does not.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { logSites, sourceLineOf } from '../src/shared/lessons/source-lines'
import type { Lab } from '../src/main/lab/lab'
import { recordTicks, useLabs } from '../src/main/lab/testing/lab-fixture'
import { LESSON_SCENARIOS, verdictOf, type Verdict } from '../src/shared/lessons/lessons'
import { pythonAvailability } from './python/catalog'

const newLab = useLabs()

async function verdict(
  lab: Lab,
  scenario: string,
  params: Record<string, unknown> = {},
  predicted?: string,
): Promise<Verdict> {
  const ticks = recordTicks(lab)
  const started = await lab.start({ scenario, params })
  const info = await lab.wait(started.id)
  await lab.flush()
  expect(info.status, info.error ?? '').toBe('done')
  const logs = ticks
    .flatMap((t) => t.logs)
    .filter((l) => l.runId === info.id)
    .map((l) => ({ text: l.text, unit: l.unit }))
  const tasks = ticks.flatMap((t) => t.events).flatMap((e) => (e.type === 'task' && e.runId === info.id ? [e] : []))
  const v = verdictOf(
    scenario,
    { scenario, params: info.params, status: info.status, result: info.result, logs, tasks },
    predicted,
  )
  expect(v).not.toBeNull()
  return v!
}

const describeChecks = (v: Verdict): string =>
  v.checks
    .map((c) => `${c.ok === null ? '·' : c.ok ? '✓' : '✗'} ${c.label}: expected ${c.expected}, got ${c.actual}`)
    .join('\n')

// cpu-vs-io's Node speed-ups depend on the machine's load: it has its own test below.
const DEFAULTS = LESSON_SCENARIOS.filter((id) => id !== 'cpu-vs-io')
const PYTHON = LESSON_SCENARIOS

describe('lessons: default parameters show the point (✓)', () => {
  it.each(DEFAULTS)('%s', async (id) => {
    const v = await verdict(newLab(), id)
    expect(v.ok, describeChecks(v)).toBe(true)
    expect(v.checks.filter((c) => c.ok === true).length).toBeGreaterThan(0)
  })
  it('cpu-vs-io (small)', async () => {
    const v = await verdict(newLab(), 'cpu-vs-io', { tasks: 4, taskMs: 40 })
    expect(v.checks.length).toBeGreaterThan(1)
    // Speed-ups depend on how loaded the machine is: only the IO-bound overlap is asserted.
    expect(v.checks.find((c) => c.label.includes('IO-bound'))?.ok, describeChecks(v)).toBe(true)
  })
})

describe.skipIf(!pythonAvailability().available)('Python lessons: default parameters show the point (✓)', () => {
  it.each(PYTHON)('py-%s', async (id) => {
    const params = id === 'cpu-vs-io' ? { work: 150, tasks: 4 } : {}
    const v = await verdict(newLab(), `py-${id}`, params)
    expect(v.ok, describeChecks(v)).toBe(true)
  })
})

describe('lessons: a set-up that breaks the point shows ✗ or the other outcome', () => {
  it('pool-async with one worker and no jitter: submission order, ✗', async () => {
    const v = await verdict(newLab(), 'pool-async', { workers: 1, jitter: 0 }, 'completion order (mixed)')
    expect(v.ok, describeChecks(v)).toBe(false)
    expect(v.checks.find((c) => c.label.startsWith('completion order'))?.ok).toBe(false)
    expect(v.checks.find((c) => c.label.startsWith('your prediction'))?.ok).toBe(false)
  })
  it('counters with the lock: serialised, and a prediction of interleaving is answered ✗', async () => {
    const v = await verdict(newLab(), 'counters', { lock: true }, 'interleaved')
    expect(
      v.checks.some((c) => c.label.startsWith('with the lock') && c.ok === true),
      describeChecks(v),
    ).toBe(true)
    expect(v.checks.find((c) => c.label.startsWith('your prediction'))?.ok).toBe(false)
  })
  const turns = (v: Verdict): boolean | null | undefined =>
    v.checks.find((c) => c.label.startsWith('the consumers take turns'))?.ok
  it.each(['thread', 'process'])(
    'queue (%s): the consumers take turns; the second held back 500 ms: ✗',
    async (mode) => {
      const lab = newLab()
      const fair = await verdict(lab, 'queue', { mode })
      expect(turns(fair), describeChecks(fair)).toBe(true)
      const late = await verdict(lab, 'queue', { mode, stagger: 500 })
      expect(turns(late), describeChecks(late)).toBe(false)
      expect(late.ok).toBe(false)
    },
  )
  it.skipIf(!pythonAvailability().available)(
    'py-queue with the second consumer held back 500 ms: no turns, ✗',
    async () => {
      const v = await verdict(newLab(), 'py-queue', { stagger: 500 })
      expect(turns(v), describeChecks(v)).toBe(false)
    },
  )
  it('cpu-vs-io with one worker: no two tasks run at once, ✗', async () => {
    const v = await verdict(newLab(), 'cpu-vs-io', { workers: 1, tasks: 4, taskMs: 40 })
    const noGil = v.checks.find((c) => c.label.startsWith('no GIL'))
    expect(noGil?.ok, describeChecks(v)).toBe(false)
    expect(noGil?.actual).toContain('one thread runs one task at a time')
    expect(v.ok).toBe(false)
  })
  it('shared-array with shared memory: the second unit saw 1, 2, 3, 4', async () => {
    const v = await verdict(newLab(), 'shared-array', { shared: true }, '-1, -2, -3, -4')
    expect(v.checks.find((c) => c.label.includes('because the array is shared'))?.actual).toBe('1, 2, 3, 4')
    expect(v.checks.find((c) => c.label.startsWith('your prediction'))?.ok).toBe(false)
  })
})

describe("the code pane's link from a log line to its source line", () => {
  const read = (name: string): string => readFileSync(new URL(name, import.meta.url), 'utf8')
  it('finds the call that printed each counters line, through the variable it logs', () => {
    const source = read('counters.ts')
    const lines = source.split('\n')
    const sites = logSites(source)
    const count = sourceLineOf(sites, 'khanh thread: 5')!
    expect(lines[count - 1]).toContain('w.log(text)')
    expect(lines[sourceLineOf(sites, 'Start thread khanh')! - 1]).toContain('w.log(`Start ')
    expect(lines[sourceLineOf(sites, 'End process ai')! - 1]).toContain('w.log(`End ')
    expect(lines[sourceLineOf(sites, 'all units joined')! - 1]).toContain("ctx.log('all units joined')")
  })
})

describe('slow motion', () => {
  const spread = async (scenario: string, timeScale: number): Promise<number> => {
    const lab = newLab()
    const ticks = recordTicks(lab)
    const run = await lab.start({ scenario, params: {}, timeScale })
    const info = await lab.wait(run.id)
    await lab.flush()
    expect(info.status, info.error ?? '').toBe('done')
    const t = ticks
      .flatMap((x) => x.logs)
      .filter((l) => l.runId === run.id && /^khanh (thread|process): [15]$/.test(l.text))
      .map((l) => l.t)
    expect(t).toHaveLength(2)
    return Math.abs(t[1] - t[0])
  }
  it.each(['counters', 'py-counters'])('%s: sleeps ×10 spread the count over at least 10 × 4 × 10 ms', async (id) => {
    if (id.startsWith('py-') && !pythonAvailability().available) return
    expect(await spread(id, 10)).toBeGreaterThanOrEqual(4 * 10 * 10 * 0.95)
  })
  /** The summed durations of a run's pool tasks, from their started and finished events. */
  const taskTime = async (scenario: string, params: Record<string, unknown>, timeScale: number): Promise<number> => {
    const lab = newLab()
    const ticks = recordTicks(lab)
    const run = await lab.start({ scenario, params, timeScale })
    const info = await lab.wait(run.id)
    await lab.flush()
    expect(info.status, info.error ?? '').toBe('done')
    const events = ticks.flatMap((x) => x.events).flatMap((e) => (e.type === 'task' && e.runId === run.id ? [e] : []))
    const started = new Map(events.filter((e) => e.phase === 'started').map((e) => [e.task, e.t]))
    const finished = events.filter((e) => e.phase === 'finished')
    expect(finished.length).toBeGreaterThan(0)
    return finished.reduce((sum, e) => sum + e.t - (started.get(e.task) ?? e.t), 0)
  }
  // The Node pool lessons' tasks sleep through scenario-api's `sleep`, which the run's scale reaches in every worker.
  it("executor: the task's 5 pauses of 100 ms last 10 times longer at ×10", async () => {
    const [one, ten] = [await taskTime('executor', {}, 1), await taskTime('executor', {}, 10)]
    expect(ten).toBeGreaterThanOrEqual(10 * 5 * 100 * 0.95)
    expect(ten).toBeGreaterThan(4 * one)
  }, 30_000)
  it.each(['thread', 'process'])(
    'pool-async (%s pool): 60 jittered tasks take over 4 times longer at ×10',
    async (mode) => {
      const params = { mode, count: 60, jitter: 20 }
      const [one, ten] = [await taskTime('pool-async', params, 1), await taskTime('pool-async', params, 10)]
      expect(ten).toBeGreaterThan(4 * one)
    },
    30_000,
  )
  it('executor-map: its 4 jittered boxes, over 3 runs, take over 4 times longer at ×10', async () => {
    let one = 0
    let ten = 0
    for (let i = 0; i < 3; i++) {
      one += await taskTime('executor-map', {}, 1)
      ten += await taskTime('executor-map', {}, 10)
    }
    expect(ten).toBeGreaterThan(4 * one)
  }, 30_000)
  it('rejects a scale out of range, naming it', async () => {
    await expect(newLab().start({ scenario: 'counters', params: {}, timeScale: 50 })).rejects.toThrow(
      /timeScale must be a whole number from 1 to 20/,
    )
  })
})
