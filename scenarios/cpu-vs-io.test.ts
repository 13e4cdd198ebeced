import { describe, expect, it } from 'vitest'
import { runToEnd, useLabs } from '../src/main/lab/testing/lab-fixture'

// Real pools: only the shape of the outcome is checked, never a speed.
describe('cpu-vs-io', () => {
  const newLab = useLabs()

  it('runs the same CPU-bound and IO-bound job sequentially and on both pool kinds, with a speed-up for each', async () => {
    const lab = newLab()
    const info = await runToEnd(lab, 'cpu-vs-io', { workers: 2, tasks: 4, taskMs: 5 })
    expect(info.status).toBe('done')
    const result = info.result as Record<
      'cpu' | 'io',
      { sequentialMs: number; thread: { speedup: number; cpuMs: number }; process: { speedup: number; cpuMs: number } }
    >
    for (const job of ['cpu', 'io'] as const) {
      expect(result[job].sequentialMs).toBeGreaterThan(0)
      for (const kind of ['thread', 'process'] as const) {
        expect(result[job][kind].speedup).toBeGreaterThan(0)
        expect(result[job][kind].cpuMs).toBeGreaterThan(0)
      }
    }
    // Its pool workers were units of the run, and all of them ended.
    const units = (await lab.snapshot()).units.filter((u) => u.runId === info.id)
    expect(units.filter((u) => u.kind === 'thread').length).toBeGreaterThanOrEqual(2)
    expect(units.filter((u) => u.kind === 'process').length).toBeGreaterThanOrEqual(2)
    expect(units.every((u) => ['exited', 'killed'].includes(u.state))).toBe(true)
  })

  it('stops when the run is stopped', async () => {
    const lab = newLab()
    const run = await lab.start({ scenario: 'cpu-vs-io', params: { workers: 2, tasks: 100, taskMs: 50 } })
    await new Promise((r) => setTimeout(r, 300))
    const info = await lab.stop({ runId: run.id })
    expect(info.status).toBe('stopped')
  })
})
