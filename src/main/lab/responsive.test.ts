import { describe, expect, it } from 'vitest'
import type { Lab } from './lab'
import { useLabs } from './testing/lab-fixture'

/**
 * While a 10 s sequential baseline runs, the lab's thread must stay free: ticks keep coming, a snapshot is answered,
 * and a cancel or Stop ends it at once. The bounds asserted are generous (a shared, loaded machine); the real figures
 * are measured by `npm run bench:soak`.
 */
async function probe(lab: Lab, ms: number): Promise<{ maxGapMs: number; ticks: number; replies: number[] }> {
  const at: number[] = []
  const off = lab.onTick(() => at.push(performance.now()))
  const replies: number[] = []
  const end = performance.now() + ms
  while (performance.now() < end) {
    const t0 = performance.now()
    await lab.snapshot()
    replies.push(performance.now() - t0)
    await new Promise((r) => setTimeout(r, 200))
  }
  off()
  const gaps = at.slice(1).map((t, i) => t - at[i])
  return { maxGapMs: Math.max(0, ...gaps), ticks: at.length, replies }
}

describe('a long request does not stall the lab', () => {
  const newLab = useLabs()

  it('a comparison with a 10 s sequential baseline: ticks keep their interval, snapshot answers, cancel ends it', async () => {
    const lab = newLab({ intervalMs: 100 })
    let phase: string | null = null
    lab.onCompareProgress((p) => (phase = p.phase))
    const done = lab.compare({
      workload: 'cpu',
      strategies: ['seq'],
      sizes: [1],
      tasks: 5,
      repeat: 1,
      params: { taskMs: 2000 },
    })
    // Wait until the baseline thread is up and working.
    await new Promise((r) => setTimeout(r, 1000))
    const seen = await probe(lab, 3000)
    expect(phase).toBe('running')
    // The baseline runs in a thread of its own, labelled so.
    const baseline = (await lab.snapshot()).units.find(
      (u) => u.label.startsWith('compare sequential baseline') && u.state === 'running',
    )
    expect(baseline?.kind).toBe('thread')
    expect(seen.ticks).toBeGreaterThanOrEqual(10)
    expect(seen.maxGapMs).toBeLessThan(1000)
    expect(Math.max(...seen.replies)).toBeLessThan(1000)
    const t0 = performance.now()
    await lab.cancelCompare()
    const result = await done
    expect(performance.now() - t0).toBeLessThan(2000)
    expect(result.cancelled).toBe(true)
    expect((await lab.snapshot()).units.filter((u) => u.kind !== 'main' && u.state === 'running')).toEqual([])
  })

  it('cpu-vs-io with a 10 s sequential baseline: ticks keep their interval, snapshot answers, Stop ends it', async () => {
    const lab = newLab({ intervalMs: 100 })
    const run = await lab.start({ scenario: 'cpu-vs-io', params: { workers: 2, tasks: 25, taskMs: 400 } })
    await new Promise((r) => setTimeout(r, 1000))
    const seen = await probe(lab, 3000)
    const info = (await lab.snapshot()).runs.find((r) => r.id === run.id)
    expect(info?.status).toBe('running')
    expect(seen.ticks).toBeGreaterThanOrEqual(10)
    expect(seen.maxGapMs).toBeLessThan(1000)
    expect(Math.max(...seen.replies)).toBeLessThan(1000)
    const t0 = performance.now()
    const stopped = await lab.stop({ runId: run.id })
    expect(performance.now() - t0).toBeLessThan(2000)
    expect(stopped.status).toBe('stopped')
  })

  it('refuses a request it could not finish in bounded time, and says what is allowed', async () => {
    const lab = newLab()
    const { callCommand } = await import('../dispatch')
    const reply = await callCommand(lab, 'compare', {
      workload: 'cpu',
      strategies: ['seq'],
      sizes: [1],
      tasks: 100_000,
      repeat: 20,
      params: { taskMs: 10_000 },
    })
    expect(reply.ok).toBe(false)
    if (!reply.ok) {
      expect(reply.error.field).toBe('tasks')
      expect(reply.error.message).toMatch(/from 1 to 20000/)
    }
    const big = await callCommand(lab, 'compare', {
      workload: 'cpu',
      strategies: ['seq', 'thread'],
      sizes: [1, 2],
      tasks: 1000,
      repeat: 5,
      params: { taskMs: 1000 },
    })
    expect(big.ok).toBe(false)
    if (!big.ok) expect(big.error.message).toMatch(/the limit is 600 s/)
    const payload = await callCommand(lab, 'compare', {
      workload: 'payload',
      strategies: ['thread'],
      sizes: [64],
      tasks: 4,
      repeat: 1,
      params: { payloadBytes: 64 << 20 },
    })
    expect(payload.ok).toBe(false)
    if (!payload.ok) expect(payload.error.field).toBe('payloadBytes')
  })
})
