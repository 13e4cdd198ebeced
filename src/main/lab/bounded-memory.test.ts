import { readdirSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { LAB_V8_FLAGS } from '../../../scripts/lab-flags.mjs'
import { OWNER_ENV } from './lifeline/owner-tag'
import { FINISHED_RUNS_KEPT } from './lab'
import { descendantsOf, listProcesses, processesTagged } from './sampling/linux/lineage'
import { useLabs } from './testing/lab-fixture'

const CYCLES = 300
const WARM_UP = 40

// RSS is read after a full collection, so garbage not yet collected is not taken for growth.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

async function settledRss(): Promise<number> {
  gc()
  await new Promise((r) => setTimeout(r, 50))
  gc()
  return process.memoryUsage.rss()
}

function heapMb(): number {
  gc()
  return process.memoryUsage().heapUsed / 2 ** 20
}

describe('bounded memory', () => {
  const newLab = useLabs()

  it(`${CYCLES} start/stop cycles leave no child or descriptor, a snapshot under 64 KiB and RSS within 10 MB`, async () => {
    // The engine alone: session recording (its own bounds, its own tests) is off here.
    const lab = newLab({ intervalMs: 100, recording: { enabled: false } })
    let rssAfterWarmUp = 0
    let heapAfterWarmUp = 0
    let fdsAfterWarmUp = 0
    const fds = (): number => (process.platform === 'linux' ? readdirSync('/proc/self/fd').length : 0)
    for (let i = 0; i < CYCLES; i++) {
      // Every fifth cycle runs child processes, the others threads.
      const run = await lab.start({
        scenario: 'counters',
        params: { mode: i % 5 === 0 ? 'process' : 'thread', workers: 2, loop: true },
      })
      const stopped = await lab.stop({ runId: run.id })
      expect(stopped.status).toBe('stopped')
      if (i === WARM_UP) {
        await lab.flush()
        rssAfterWarmUp = await settledRss()
        heapAfterWarmUp = heapMb()
        fdsAfterWarmUp = fds()
      }
    }
    await lab.flush()
    await lab.flush()
    const snapshot = await lab.snapshot()
    const bytes = Buffer.byteLength(JSON.stringify(snapshot))
    expect(bytes).toBeLessThan(64 * 1024)
    expect(snapshot.runs.length).toBeLessThanOrEqual(FINISHED_RUNS_KEPT)
    expect(
      snapshot.units.filter((u) => u.kind !== 'main' && !['exited', 'killed', 'crashed'].includes(u.state)),
    ).toEqual([])
    if (process.platform === 'linux') {
      const procs = listProcesses()
      expect(processesTagged(OWNER_ENV, lab.lifeline.key, procs)).toEqual([])
      // Children of this process other than the lab's supervisor and the test runner's own.
      const units = descendantsOf([process.pid], procs).filter((p) => snapshot.units.some((u) => u.pid === p.pid))
      expect(units).toEqual([])
    }
    const growthMb = ((await settledRss()) - rssAfterWarmUp) / 2 ** 20
    const heapGrowthMb = heapMb() - heapAfterWarmUp
    console.log(
      `bounded memory: snapshot ${bytes} bytes, RSS growth ${growthMb.toFixed(1)} MB, heap growth ${heapGrowthMb.toFixed(1)} MB over ${CYCLES - WARM_UP} cycles`,
    )
    // The lab runs as every lab process does, with a bounded young generation and old-generation growth
    // (scripts/lab-flags.mjs); with V8's defaults RSS read 15-20 MB higher after the cycles with a flat heap.
    expect(process.execArgv).toEqual(expect.arrayContaining(LAB_V8_FLAGS))
    expect(heapGrowthMb).toBeLessThan(10)
    expect(growthMb).toBeLessThan(10)
    // No descriptor is left behind by a unit (a thread terminated while loading its modules once leaked one each).
    expect(fds() - fdsAfterWarmUp).toBeLessThanOrEqual(4)
  }, 240_000)
})

describe('the snapshot', () => {
  const newLab = useLabs()

  it("leaves out finished runs' results, which come with each run's history", async () => {
    const lab = newLab({ recording: { enabled: false } })
    const run = await lab.start({ scenario: 'pool-async', params: { count: 200 } })
    const done = await lab.wait(run.id)
    expect(done.status).toBe('done')
    const full = Buffer.byteLength(JSON.stringify(done.result))
    expect(full).toBeGreaterThan(1000)
    const listed = (await lab.snapshot()).runs.find((r) => r.id === run.id)!
    expect(listed.status).toBe('done')
    expect(listed.result).toBeNull()
    expect((await lab.runHistory({ runId: run.id })).run.result).toEqual(done.result)
  })
})
