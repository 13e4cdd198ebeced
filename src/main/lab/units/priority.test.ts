// Units, pool workers and programs run below the lab's own thread (nice +10), read back from /proc: the lab's thread
// keeps its priority, so it gets a core when every core is busy with their work.
import { readFileSync, readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { useLabs } from '../testing/lab-fixture'
import { unitNiceStep } from './priority'

/** Nice of one thread: field 19 of its stat (after the command name in parentheses). */
function niceOf(pid: number, tid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
}
const tasksOf = (pid: number): number[] => readdirSync(`/proc/${pid}/task`).map(Number)

describe.runIf(process.platform === 'linux')('units run below the lab', () => {
  const newLab = useLabs()

  it('thread units, process units (every thread) and a Python program are 10 below the lab; the lab thread is not', async () => {
    const labNice = niceOf(process.pid, process.pid)
    const lab = newLab({ intervalMs: 100 })
    const runs = [
      await lab.start({ scenario: 'spin', params: { mode: 'thread', workers: 2, seconds: 0, duty: 0 } }),
      await lab.start({ scenario: 'spin', params: { mode: 'process', workers: 2, seconds: 0, duty: 0 } }),
      await lab.start({ scenario: 'py-counters', params: { mode: 'thread', loop: true } }),
    ]
    let units = (await lab.snapshot()).units
    for (let i = 0; i < 100; i++) {
      units = (await lab.snapshot()).units
      const threads = units.filter((u) => u.kind === 'thread' && u.state === 'running' && u.tid !== null)
      const procs = units.filter((u) => (u.kind === 'process' || u.kind === 'program') && u.state === 'running')
      if (threads.length >= 4 && procs.length >= 3) break
      await new Promise((r) => setTimeout(r, 100))
    }
    const threads = units.filter((u) => u.kind === 'thread' && u.state === 'running' && u.tid !== null)
    const procs = units.filter((u) => (u.kind === 'process' || u.kind === 'program') && u.state === 'running')
    // Two of the lab's worker threads, and the Python program's threads.
    expect(threads.length).toBeGreaterThanOrEqual(4)
    expect(procs.length).toBeGreaterThanOrEqual(3)
    const expected = Math.min(19, labNice + unitNiceStep())
    for (const t of threads) expect(niceOf(t.pid, t.tid!)).toBe(expected)
    for (const p of procs) for (const tid of tasksOf(p.pid)) expect(niceOf(p.pid, tid)).toBe(expected)
    // The lab's own thread, and the threads it had before (libuv's, V8's), keep their priority.
    expect(niceOf(process.pid, process.pid)).toBe(labNice)
    for (const run of runs) await lab.stop({ runId: run.id })
  })

  it('the sequential baseline of a comparison runs below the lab too', async () => {
    const labNice = niceOf(process.pid, process.pid)
    const lab = newLab({ intervalMs: 100 })
    const seen: number[] = []
    const off = lab.onTick(async () => {
      const baseline = (await lab.snapshot()).units.find(
        (u) => u.label.startsWith('compare sequential baseline') && u.state === 'running' && u.tid !== null,
      )
      if (baseline) {
        try {
          seen.push(niceOf(baseline.pid, baseline.tid!))
        } catch {
          // Ended between the snapshot and the read.
        }
      }
    })
    await lab.compare({
      workload: 'cpu',
      strategies: ['seq'],
      sizes: [1],
      tasks: 4,
      repeat: 1,
      params: { taskMs: 300 },
    })
    off()
    expect(seen.length).toBeGreaterThan(0)
    expect(new Set(seen)).toEqual(new Set([Math.min(19, labNice + unitNiceStep())]))
  })

  it('reads the step from PARALLEL_LAB_UNIT_NICE: 0 turns it off, nonsense falls back to 10', () => {
    expect(unitNiceStep({})).toBe(10)
    expect(unitNiceStep({ PARALLEL_LAB_UNIT_NICE: '0' })).toBe(0)
    expect(unitNiceStep({ PARALLEL_LAB_UNIT_NICE: '5' })).toBe(5)
    expect(unitNiceStep({ PARALLEL_LAB_UNIT_NICE: '-5' })).toBe(10)
    expect(unitNiceStep({ PARALLEL_LAB_UNIT_NICE: 'fast' })).toBe(10)
    expect(unitNiceStep({ PARALLEL_LAB_UNIT_NICE: '25' })).toBe(10)
  })
})
