// Where each thread's time went, on real C and Python programs: blocked threads by what they wait in, a spinner on a
// CPU, the GIL as a lock, and four busy processes sharing one CPU waiting for it. Shapes with generous bounds.
import { afterAll, describe, expect, it } from 'vitest'
import type { Sample, Tick, TimeSplit, Unit } from '../../../shared/model'
import { pythonAvailability } from '../../../../scenarios/python/catalog'
import type { Lab } from '../lab'
import { compileProbes } from '../testing/probes'
import { recordTicks, useLabs } from '../testing/lab-fixture'

const newLab = useLabs()
const probes = compileProbes()
afterAll(() => probes.remove())
const linux = process.platform === 'linux'
/** A reading spoiled by other work on the machine is taken again, up to this many times. */
const ATTEMPTS = 3

interface Watched {
  units: Unit[]
  ticks: Tick[]
}

async function watch(lab: Lab, command: string, args: string[]): Promise<Watched> {
  const ticks = recordTicks(lab)
  const run = await lab.watch({ command, args, label: 'probe' })
  await lab.wait(run.id)
  const units = (await lab.snapshot()).units.filter((u) => u.runId === run.id)
  return { units, ticks }
}

/** The samples of one unit over the run (those with a split). */
function samplesOf(w: Watched, unit: Unit | undefined): Sample[] {
  if (!unit) return []
  return w.ticks.flatMap((t) => t.samples.filter((s) => s.id === unit.id && s.time))
}

function meanSplit(samples: readonly Sample[]): TimeSplit {
  const n = samples.length
  const avg = (f: (t: TimeSplit) => number): number => samples.reduce((a, s) => a + f(s.time!), 0) / n
  return {
    onCpu: avg((t) => t.onCpu),
    runqueue: avg((t) => t.runqueue),
    blocked: avg((t) => t.blocked),
    blockedOn: {
      lock: avg((t) => t.blockedOn.lock),
      io: avg((t) => t.blockedOn.io),
      sleep: avg((t) => t.blockedOn.sleep),
      other: avg((t) => t.blockedOn.other),
    },
  }
}

const thread = (w: Watched, name: string): Unit | undefined =>
  w.units.find((u) => u.kind === 'thread' && u.command === name)

describe.runIf(linux)('where the time went', () => {
  it('threads asleep, on a mutex, a pipe and a condition read S and blocked, each on what it waits in; a spinner reads R on a CPU', async () => {
    let best = 0
    for (let attempt = 0; attempt < ATTEMPTS && best < 90; attempt++) {
      const lab = newLab({ intervalMs: 250 })
      const w = await watch(lab, probes.path('blockedThreads'), ['3'])
      const expected = { sleeper: 'sleep', mutex: 'lock', pipe: 'io', condvar: 'lock' } as const
      for (const [name, reason] of Object.entries(expected)) {
        // The first ticks catch the thread starting up.
        const samples = samplesOf(w, thread(w, name)).slice(2, -1)
        expect(samples.length, name).toBeGreaterThanOrEqual(4)
        for (const s of samples) {
          expect(s.os, name).toBe('S')
          expect(s.time!.blocked, name).toBeGreaterThanOrEqual(90)
          expect(s.time!.blockedOn[reason], name).toBeGreaterThanOrEqual(s.time!.blocked - 1)
        }
      }
      const spinner = samplesOf(w, thread(w, 'spinner')).slice(1, -1)
      expect(spinner.length).toBeGreaterThanOrEqual(4)
      for (const s of spinner) {
        expect(s.os).toBe('R')
        // Runnable: on a CPU, or waiting for one when the machine is busy; never blocked.
        expect(s.time!.onCpu + s.time!.runqueue).toBeGreaterThanOrEqual(90)
        expect(s.time!.onCpu + s.time!.runqueue + s.time!.blocked).toBeCloseTo(100, 5)
      }
      best = Math.max(...spinner.map((s) => s.time!.onCpu))
    }
    // On a core of its own, at least one tick has the spinner on a CPU 90 % of the time.
    expect(best).toBeGreaterThanOrEqual(90)
  })

  it('four busy processes sharing one CPU: each waits for it most of the time', async () => {
    const lab = newLab({ intervalMs: 250 })
    // Pinned to one CPU, three of the four wait in its run queue at any moment, however many cores the machine has.
    const w = await watch(lab, probes.path('children'), ['4', '3', 'pin'])
    const children = w.units.filter((u) => u.kind === 'program' && !u.spawned)
    expect(children).toHaveLength(4)
    for (const child of children) {
      const split = meanSplit(samplesOf(w, child).slice(1, -1))
      const seen = JSON.stringify(split)
      // A fair share is 25 % on the CPU and 75 % waiting for it.
      expect(split.runqueue, seen).toBeGreaterThan(45)
      expect(split.onCpu, seen).toBeLessThan(45)
      expect(split.blocked, seen).toBeLessThan(15)
    }
    const root = w.units.find((u) => u.spawned)!
    // The parent only waits for its children.
    const parent = meanSplit(samplesOf(w, root).slice(1, -1))
    expect(parent.blocked).toBeGreaterThan(80)
  })

  it.runIf(pythonAvailability().available)(
    'two threads of a Python ThreadPoolExecutor on CPU work: about half on a CPU each, the rest mostly on a lock (the GIL)',
    async () => {
      const code = `
from concurrent.futures import ThreadPoolExecutor
import time
def work(_):
    end = time.time() + 3
    while time.time() < end:
        sum(i * i for i in range(1000))
with ThreadPoolExecutor(max_workers=2, thread_name_prefix='pool') as ex:
    list(ex.map(work, range(2)))
`
      let last: TimeSplit[] = []
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const lab = newLab({ intervalMs: 250 })
        const w = await watch(lab, 'python3', ['-c', code])
        // Python names its threads for itself only: the workers are the threads other than the main one.
        const workers = w.units.filter((u) => u.kind === 'thread' && u.tid !== u.pid)
        expect(workers).toHaveLength(2)
        last = workers.map((u) => meanSplit(samplesOf(w, u).slice(2, -2)))
        // The GIL hands over every 5 ms: each thread gets about half; what it does not get, it mostly spends on the lock.
        const fits = last.every(
          (s) =>
            s.onCpu > 30 &&
            s.onCpu < 70 &&
            s.blockedOn.lock > 0.5 * (100 - s.onCpu - s.runqueue) &&
            s.blockedOn.lock > 20,
        )
        if (fits) break
      }
      for (const s of last) {
        expect(s.onCpu).toBeGreaterThan(30)
        expect(s.onCpu).toBeLessThan(70)
        expect(s.blockedOn.lock).toBeGreaterThan(20)
        expect(s.blockedOn.lock).toBeGreaterThan(0.5 * (100 - s.onCpu - s.runqueue))
      }
    },
  )
})
