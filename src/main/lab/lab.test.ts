// Lifecycle of units under the real lab: stop, outside kills, crashes, refusals, bad input.
import { describe, expect, it } from 'vitest'
import { LabError } from '../../shared/contract'
import type { Unit } from '../../shared/model'
import { procExists, recordTicks, useLabs, waitFor } from './testing/lab-fixture'
import type { Lab } from './lab'

const newLab = useLabs()

async function liveUnits(lab: Lab, runId: string, count: number): Promise<Unit[]> {
  let units: Unit[] = []
  await waitFor(async () => {
    units = (await lab.snapshot()).units.filter((u) => u.runId === runId && u.state !== 'starting')
    return units.length === count && units.every((u) => u.kind !== 'thread' || u.tid !== null)
  }, 10_000)
  return units
}

describe.each(['thread', 'process'] as const)('stopping a run in %s mode', (mode) => {
  it('ends every unit: each pid/tid is gone from /proc within 1 s', async () => {
    const lab = newLab()
    const run = await lab.start({ scenario: 'counters', params: { mode, loop: true, workers: 3 } })
    const units = await liveUnits(lab, run.id, 3)
    expect(units).toHaveLength(3)
    for (const u of units) expect(procExists(u.pid, u.tid)).toBe(true)
    const stopping = lab.stop({ runId: run.id })
    const gone = await waitFor(() => units.every((u) => !procExists(u.pid, u.tid)), 1000)
    expect(gone).toBe(true)
    const info = await stopping
    expect(info.status).toBe('stopped')
    const after = (await lab.snapshot()).units.filter((u) => u.runId === run.id)
    // Asked to leave, units exit cleanly; one too busy to answer within the grace period is forced.
    for (const u of after)
      expect(['exited:0', 'killed'], JSON.stringify(u)).toContain(
        u.state === 'exited' ? `exited:${u.exitCode}` : u.state,
      )
  })
})

describe('units that die', () => {
  it('a child killed from outside with SIGKILL becomes "killed" with SIGKILL; the run says so; the lab goes on', async () => {
    const lab = newLab()
    const run = await lab.start({ scenario: 'spin', params: { mode: 'process', seconds: 0, duty: 10 } })
    const [victim] = await liveUnits(lab, run.id, 2)
    process.kill(victim.pid, 'SIGKILL')
    const info = await lab.wait(run.id)
    expect(info.status).toBe('failed')
    expect(info.error).toMatch(/killed by SIGKILL/)
    const dead = (await lab.snapshot()).units.find((u) => u.id === victim.id)!
    expect(dead.state).toBe('killed')
    expect(dead.signal).toBe('SIGKILL')
    // The lab keeps going.
    const next = await lab.start({ scenario: 'queue-drain', params: { mode: 'process' } })
    expect((await lab.wait(next.id)).status).toBe('done')
  })

  it.each(['thread', 'process'] as const)('a %s that throws becomes "crashed" with the error message', async (mode) => {
    const lab = newLab()
    const run2 = await lab.start({ scenario: 'spin', params: { mode, workers: 1, seconds: 1, duty: 10, fail: true } })
    const info = await lab.wait(run2.id)
    expect(info.status).toBe('failed')
    expect(info.error).toMatch(/khanh failed on purpose/)
    const unit = (await lab.snapshot()).units.find((u) => u.runId === run2.id)!
    expect(unit.state).toBe('crashed')
    expect(unit.error).toMatch(/khanh failed on purpose after spinning/)
  })

  it('kill() ends a spawned unit and says "killed"', async () => {
    const lab = newLab()
    const ticks = recordTicks(lab)
    const run = await lab.start({ scenario: 'spin', params: { mode: 'thread', seconds: 0, duty: 10 } })
    const [victim] = await liveUnits(lab, run.id, 2)
    await lab.kill({ unitId: victim.id })
    await lab.wait(run.id)
    await lab.flush()
    const states = ticks.flatMap((t) => t.events).filter((e) => e.type === 'state' && e.unit === victim.id)
    expect(states.at(-1)).toMatchObject({ state: 'killed' })
  })
})

describe('refusals', () => {
  it('never ends a unit it did not spawn: the lab itself', async () => {
    const lab = newLab()
    const snap = await lab.snapshot()
    const main = snap.units.find((u) => u.kind === 'main')!
    await expect(lab.kill({ unitId: main.id })).rejects.toThrow(/was not started by the lab/)
    expect(procExists(process.pid)).toBe(true)
  })

  it('names the field that is wrong', async () => {
    const lab = newLab()
    const cases: [Record<string, unknown>, string][] = [
      [{ scenario: 'nope' }, 'scenario'],
      [{ scenario: 'counters', params: { workers: 0 } }, 'workers'],
      [{ scenario: 'counters', params: { workers: 10_000 } }, 'workers'],
      [{ scenario: 'counters', params: { mode: 'banana' } }, 'mode'],
      [{ scenario: 'counters', params: { colour: 'red' } }, 'colour'],
    ]
    for (const [req, field] of cases) {
      const err = await lab.start(req as { scenario: string }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(LabError)
      expect((err as LabError).field).toBe(field)
      expect((err as LabError).message).toContain(field)
    }
    await expect(lab.setSamplingInterval({ ms: 1 })).rejects.toThrow(
      /interval must be a whole number of milliseconds from 100 to 5000/,
    )
    await expect(lab.stop({ runId: 'r404' })).rejects.toThrow(/no run "r404"/)
  })
})

describe('the pool a run can resize', () => {
  it('a run says the size of the pool resizePool acts on, and keeps it true after a resize', async () => {
    const lab = newLab()
    const ticks = recordTicks(lab)
    const run = await lab.start({ scenario: 'pool-async', params: { mode: 'thread', workers: 2, count: 200 } })
    expect(
      await waitFor(
        () => ticks.some((t) => t.events.some((e) => e.type === 'run' && e.run.id === run.id && e.run.poolSize === 2)),
        10_000,
      ),
    ).toBe(true)
    const resized = await lab.resizePool({ runId: run.id, size: 3 })
    expect(resized.poolSize).toBe(3)
    await lab.stop({ runId: run.id })
  })

  it("a run without a pool of the lab's (a counter, a program) has poolSize null and refuses a resize", async () => {
    const lab = newLab()
    const run = await lab.start({ scenario: 'counters', params: { loop: true } })
    const err = await lab.resizePool({ runId: run.id, size: 2 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LabError)
    expect(err).toMatchObject({
      code: 'conflict',
      field: 'size',
      message: expect.stringMatching(/has no pool to resize/),
    })
    expect((await lab.snapshot()).runs.find((r) => r.id === run.id)?.poolSize).toBeNull()
    await lab.stop({ runId: run.id })
  })
})
