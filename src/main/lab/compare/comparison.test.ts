import { describe, expect, it } from 'vitest'
import { toCsv, toJson, toTrace, CSV_COLUMNS } from '../../../shared/compare/export'
import { checkTrace } from '../../../shared/compare/trace-schema'
import { STRATEGIES, STRATEGY_INFO, type CompareProgress } from '../../../shared/compare/types'
import { standalonePoolDeps } from '../pools/standalone'
import { busyTime, Comparison, planSteps } from './comparison'

/** RFC 4180 fields of one line (quotes, doubled quotes inside). */
function parseCsvLine(line: string): string[] {
  return [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) => m[1].replace(/^"|"$/g, '').replace(/""/g, '"'))
}

// Real threads, processes and piscina on tiny workloads: what is checked is shape and bookkeeping, never speed.
function env(onProgress?: (p: CompareProgress) => void) {
  const deps = standalonePoolDeps()
  return { deps, runId: null, onProgress }
}

describe('comparison', () => {
  it('runs every strategy x size, with the sequential baseline, and exports files that parse', async () => {
    const seen: CompareProgress[] = []
    const req = {
      workload: 'cpu' as const,
      strategies: STRATEGIES.filter((s) => s !== 'seq'),
      sizes: [1, 2],
      tasks: 8,
      repeat: 1,
      params: { taskMs: 2 },
    }
    const result = await new Comparison(
      't1',
      req,
      env((p) => seen.push(p)),
    ).run()
    expect(result.cancelled).toBe(false)
    // seq and async once, five pooled strategies at two sizes.
    expect(result.rows).toHaveLength(2 + 5 * 2)
    expect(planSteps(req)).toHaveLength(12)
    expect(seen.at(-1)).toMatchObject({ phase: 'done', done: 12, total: 12 })
    for (const row of result.rows) {
      expect(row.failed).toBe(0)
      expect(row.speedup).toBeGreaterThan(0)
      // End to end pays the pool's start-up: always the lower speed-up for a pool; the same for seq and async.
      if (STRATEGY_INFO[row.strategy].pooled) expect(row.speedupWithStartup!).toBeLessThan(row.speedup!)
      else expect(row.speedupWithStartup).toBe(row.speedup)
      expect(row.efficiency.median).toBeGreaterThan(0)
    }
    for (const trace of result.traces) {
      expect(trace.tasks).toHaveLength(8)
      expect(trace.lanes.length).toBeGreaterThanOrEqual(1)
      expect(trace.lanes.length).toBeLessThanOrEqual(trace.size)
      for (const t of trace.tasks) {
        expect(t.startedAt).toBeGreaterThanOrEqual(t.submittedAt)
        expect(t.endedAt).toBeGreaterThanOrEqual(t.startedAt)
        expect(t.lane).toBeLessThan(trace.lanes.length)
      }
      expect(trace.cpu).toHaveLength(trace.lanes.length)
    }
    const thread2 = result.traces.find((t) => t.strategy === 'thread' && t.size === 2)!
    expect(thread2.tasks.every((t) => t.cpuMs !== null)).toBe(true)

    expect(JSON.parse(toJson(result))).toEqual(JSON.parse(JSON.stringify(result)))
    const lines = toCsv(result).trim().split('\n')
    expect(lines[0].split(',')).toEqual([...CSV_COLUMNS])
    expect(lines).toHaveLength(1 + result.rows.length)
    for (const line of lines.slice(1)) expect(parseCsvLine(line)).toHaveLength(CSV_COLUMNS.length)
    expect(lines.some((l) => l.includes('"thread pool, static chunks"'))).toBe(true)
    const trace = JSON.parse(JSON.stringify(toTrace(result)))
    expect(checkTrace(trace)).toEqual([])
    const xs = trace.traceEvents.filter((e: { ph: string }) => e.ph === 'X')
    expect(xs.length).toBeGreaterThan(0)
    expect(xs.some((e: { tdur?: number }) => typeof e.tdur === 'number')).toBe(true)
    expect(trace.traceEvents.some((e: { ph: string; name: string }) => e.ph === 'M' && e.name === 'thread_name')).toBe(
      true,
    )
    expect(trace.traceEvents.some((e: { ph: string }) => e.ph === 'C')).toBe(true)
  })

  it('static chunks split the inputs up front, one bar per task', async () => {
    const result = await new Comparison(
      't2',
      {
        workload: 'skewed',
        strategies: ['thread-static'],
        sizes: [2],
        tasks: 8,
        repeat: 1,
        params: { taskMs: 1, skew: 4 },
      },
      env(),
    ).run()
    const trace = result.traces.find((t) => t.strategy === 'thread-static')!
    expect(trace.tasks).toHaveLength(8)
    expect(checkTrace(toTrace(result))).toEqual([])
  })

  it('async overlaps on one lane: the trace uses async events there, and still passes the check', async () => {
    const result = await new Comparison(
      't3',
      { workload: 'io', strategies: ['async'], sizes: [1], tasks: 6, repeat: 1, params: { taskMs: 20 } },
      env(),
    ).run()
    const events = toTrace(result).traceEvents
    expect(events.some((e) => e.ph === 'b' && e.cat === 'task')).toBe(true)
    expect(checkTrace({ traceEvents: events })).toEqual([])
  })

  it('can be cancelled: it stops early, says so, and leaves no worker running', async () => {
    const e = env()
    const c = new Comparison(
      't4',
      { workload: 'io', strategies: ['process', 'thread'], sizes: [2], tasks: 40, repeat: 3, params: { taskMs: 50 } },
      {
        ...e,
        onProgress: (p) => {
          if (p.strategy === 'process') setTimeout(() => c.cancel(), 100)
        },
      },
    )
    const result = await c.run()
    expect(result.cancelled).toBe(true)
    expect(result.runs.length).toBeLessThan(planSteps(c.request).length)
    expect(c.progress.phase).toBe('cancelled')
    await new Promise((r) => setTimeout(r, 50))
    expect(e.deps.spawner.units.live().filter((u) => u.kind !== 'main')).toEqual([])
  })
})

describe('busy time', () => {
  it('counts overlapping tasks on one lane once, and lanes separately', () => {
    const t = (lane: number, startedAt: number, endedAt: number) => ({
      id: 0,
      lane,
      submittedAt: 0,
      startedAt,
      endedAt,
      doneAt: endedAt,
      cpuMs: null,
      ok: true,
    })
    expect(busyTime([t(0, 0, 10), t(0, 5, 20), t(0, 30, 40), t(1, 0, 10)])).toBe(20 + 10 + 10)
  })
})

describe('trace schema check', () => {
  it('flags what Perfetto would misread', () => {
    const bad = {
      displayTimeUnit: 'ms',
      traceEvents: [
        { name: 'a', ph: 'X', pid: 1, tid: 1, ts: 0, dur: 10 },
        { name: 'b', ph: 'X', pid: 1, tid: 1, ts: 5, dur: 10 },
        { name: 'c', ph: 'C', pid: 1, ts: 0, args: { cpu: 'high' } },
        { name: 'thread_name', ph: 'M', pid: 1, args: {} },
        { name: 'q', ph: 'e', cat: 'queue', id: 'x', pid: 1, ts: 3 },
        { name: 'z', ph: 'Q', pid: 1, ts: 0 },
      ],
    }
    const errors = checkTrace(bad)
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/displayTimeUnit/),
        expect.stringMatching(/partly overlap/),
        expect.stringMatching(/counter needs args of numbers/),
        expect.stringMatching(/thread_name needs args.name/),
        expect.stringMatching(/async end/),
        expect.stringMatching(/unknown phase/),
      ]),
    )
    const nested = [
      { name: 'a', ph: 'X', pid: 1, tid: 1, ts: 0, dur: 10 },
      { name: 'b', ph: 'X', pid: 1, tid: 1, ts: 2, dur: 3 },
    ]
    const names = [
      { name: 'process_name', ph: 'M', pid: 1, args: { name: 'p' } },
      { name: 'thread_name', ph: 'M', pid: 1, tid: 1, args: { name: 't' } },
    ]
    expect(checkTrace({ traceEvents: [...names, ...nested] })).toEqual([])
    // Lanes nobody named would show as bare numbers in Perfetto.
    expect(checkTrace({ traceEvents: nested })).toEqual([
      'event 0: process 1 has no process_name.',
      'event 0: thread 1/1 has no thread_name.',
    ])
  })
})
