// A watched program's tree with real processes: children found as they appear, the whole tree ended on stop (no
// orphans, even a child that left the process group), exit codes, a missing command, and who may be killed.
import { describe, expect, it } from 'vitest'
import { LabError } from '../../../shared/contract'
import type { Unit } from '../../../shared/model'
import type { Lab } from '../lab'
import { procExists, useLabs, waitFor } from '../testing/lab-fixture'
import { parseProgramMessage } from './program-messages'

const newLab = useLabs()

async function unitsOf(lab: Lab, runId: string): Promise<Unit[]> {
  return (await lab.snapshot()).units.filter((u) => u.runId === runId)
}

/** A parent that starts two children; the second leaves the process group (setsid) and keeps running. */
const TREE = `
const { spawn } = require('node:child_process')
spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', detached: true })
setInterval(() => {}, 1000)
`

describe('following a program tree', () => {
  it('finds children as they appear; stopping the run ends every process of the tree, even one in its own session', async () => {
    const lab = newLab({ intervalMs: 100 })
    const run = await lab.watch({ command: process.execPath, args: ['-e', TREE], label: 'tree' })
    expect(
      await waitFor(async () => (await unitsOf(lab, run.id)).filter((u) => u.kind === 'program').length === 3, 10_000),
    ).toBe(true)
    const units = await unitsOf(lab, run.id)
    const root = units.find((u) => u.kind === 'program' && u.spawned)!
    const children = units.filter((u) => u.kind === 'program' && !u.spawned)
    expect(children.every((c) => c.parent === root.id)).toBe(true)
    expect(units.filter((u) => u.kind === 'thread' && u.parent === root.id).length).toBeGreaterThan(1)
    const pids = [root.pid, ...children.map((c) => c.pid)]
    expect(pids.every((pid) => procExists(pid))).toBe(true)

    // Children the lab did not start itself cannot be ended one by one: only with the whole run.
    await expect(lab.kill({ unitId: children[0].id })).rejects.toBeInstanceOf(LabError)

    const info = await lab.stop({ runId: run.id })
    expect(info.status).toBe('stopped')
    expect(await waitFor(() => pids.every((pid) => !procExists(pid)), 5000)).toBe(true)
    const after = await unitsOf(lab, run.id)
    expect(after.filter((u) => u.kind === 'program').map((u) => u.state)).toEqual(['killed', 'killed', 'killed'])
    expect(after.every((u) => u.state === 'killed' || u.state === 'exited')).toBe(true)
  })

  it('ending the root unit from its row ends the whole tree', async () => {
    const lab = newLab({ intervalMs: 100 })
    const run = await lab.watch({ command: 'sh', args: ['-c', 'sleep 30 & sleep 30 & wait'], label: 'sh' })
    expect(
      await waitFor(async () => (await unitsOf(lab, run.id)).filter((u) => u.kind === 'program').length === 3, 10_000),
    ).toBe(true)
    const pids = (await unitsOf(lab, run.id)).filter((u) => u.kind === 'program').map((u) => u.pid)
    const root = (await unitsOf(lab, run.id)).find((u) => u.spawned)!
    await lab.kill({ unitId: root.id })
    const info = await lab.wait(run.id)
    expect(info.status).toBe('done')
    expect((info.result as { signal: string }).signal).toBe('SIGTERM')
    expect(await waitFor(() => pids.every((pid) => !procExists(pid)), 5000)).toBe(true)
  })

  it('reports the exit code, non-zero as such', async () => {
    const lab = newLab()
    const ok = await lab.wait((await lab.watch({ command: 'sh', args: ['-c', 'exit 0'], label: 'ok' })).id)
    expect(ok.result).toMatchObject({ exitCode: 0, signal: null })
    const bad = await lab.wait(
      (await lab.watch({ command: 'sh', args: ['-c', 'echo oops >&2; exit 3'], label: 'bad' })).id,
    )
    expect(bad.result).toMatchObject({ exitCode: 3 })
    const root = (await unitsOf(lab, bad.id)).find((u) => u.kind === 'program')!
    expect(root).toMatchObject({ state: 'crashed', exitCode: 3, error: 'exited with code 3' })
  })

  it('a command that does not exist fails the run with a sentence', async () => {
    const lab = newLab()
    const info = await lab.wait((await lab.watch({ command: 'no-such-command-parallel-lab', label: 'missing' })).id)
    expect(info.status).toBe('failed')
    expect(info.error).toBe('The command "no-such-command-parallel-lab" was not found (not a file, and not on PATH).')
  })
})

describe('where procfs is missing (pidusage and pidtree)', () => {
  it('follows the processes of the tree, leaves threads out and says so', async () => {
    const lab = newLab({ intervalMs: 100, collector: 'pidusage' })
    const run = await lab.watch({ command: 'sh', args: ['-c', 'sleep 30 & sleep 30 & wait'], label: 'sh' })
    expect(
      await waitFor(async () => (await unitsOf(lab, run.id)).filter((u) => u.kind === 'program').length === 3, 15_000),
    ).toBe(true)
    expect((await unitsOf(lab, run.id)).some((u) => u.kind === 'thread')).toBe(false)
    expect((await lab.snapshot()).notes?.[0]).toMatch(/^Threads of external programs are not shown on linux/)
    const pids = (await unitsOf(lab, run.id)).map((u) => u.pid)
    await lab.stop({ runId: run.id })
    expect(await waitFor(() => pids.every((pid) => !procExists(pid)), 5000)).toBe(true)
  })
})

describe('side-channel messages', () => {
  it('keeps well-formed task, state, log and result lines and drops the rest', () => {
    expect(
      parseProgramMessage({ type: 'task', pool: 'p', task: 1, name: 'sq', phase: 'started', pid: 5, tid: 6, at: 1 }),
    ).toMatchObject({
      type: 'task',
      pid: 5,
      tid: 6,
    })
    expect(parseProgramMessage({ type: 'task', pool: 'p', task: 1, name: 'sq', phase: 'exploded' })).toBeNull()
    expect(parseProgramMessage({ type: 'state', state: 'holding' })).toMatchObject({ state: 'holding', pid: null })
    expect(parseProgramMessage({ type: 'state', state: 'killed' })).toBeNull()
    expect(parseProgramMessage({ type: 'result', value: { a: 1 } })).toMatchObject({ value: { a: 1 } })
    expect(parseProgramMessage({ type: 'nonsense' })).toBeNull()
  })
})
