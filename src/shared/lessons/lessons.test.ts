import { describe, expect, it } from 'vitest'
import { verdictOf, type LessonRun } from './lessons'

/** A cpu-vs-io run's figures as the Node scenario reports them, for a verdict's edges that real runs reach by chance. */
function cpuVsIo(workers: number, thread: { speedup: number; wallMs: number; cpuMs: number }): LessonRun {
  return {
    scenario: 'cpu-vs-io',
    params: { workers },
    status: 'done',
    result: { cpu: { thread, process: { speedup: 1.2, wallMs: 160, cpuMs: 400 } }, io: {} },
    logs: [],
    tasks: [],
  }
}

const noGil = (run: LessonRun) => verdictOf('cpu-vs-io', run)!.checks.find((c) => c.label.startsWith('no GIL'))!

describe('cpu-vs-io verdict', () => {
  it('one worker is ✗ even when a short run reads more than one core (the lab counts its whole process)', () => {
    // Seen on a real short run: 4 tasks of 40 ms, 1 worker, the lab's CPU over 165 ms read as 1.8 cores.
    const check = noGil(cpuVsIo(1, { speedup: 1.2, wallMs: 165, cpuMs: 297 }))
    expect(check.ok).toBe(false)
    expect(check.actual).toContain('one thread runs one task at a time')
  })

  it('two workers that kept 1.9 cores busy and ran 1.8x faster are ✓', () => {
    expect(noGil(cpuVsIo(2, { speedup: 1.8, wallMs: 500, cpuMs: 950 })).ok).toBe(true)
  })
})
