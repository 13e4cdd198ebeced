// What a watched program leaves behind when its root exits: a background child, a setsid double-fork. They stay in
// the table, the watch lasts until the last one ends, and Stop, --duration and Ctrl-C end them all.
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { runMain } from '../../cli/testing/cli-fixture'
import { useLabs, waitFor } from '../testing/lab-fixture'

/** PIDs of live `sleep <seconds>` processes anywhere on the machine (a unique duration marks each test's own). */
function sleeps(seconds: string): number[] {
  const out: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'latin1') !== `sleep\u0000${seconds}\u0000`) continue
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1')
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z') out.push(Number(name))
    } catch {
      // Gone.
    }
  }
  return out
}

describe.skipIf(process.platform !== 'linux')('what a watched program leaves behind', () => {
  const newLab = useLabs()

  it('stays in the table after the root exits, and the run ends when the last of it ends', async () => {
    const lab = newLab({ intervalMs: 100 })
    const run = await lab.watch({
      command: 'sh',
      args: ['-c', 'sleep 3 & setsid sh -c "sleep 4 & exit 0"; exit 0'],
      label: 'sh',
    })
    await waitFor(async () => {
      const units = (await lab.snapshot()).units.filter((u) => u.runId === run.id)
      const sleeping = units.filter(
        (u) => u.state === 'running' && (u.command === 'sleep 3' || u.command === 'sleep 4'),
      )
      return units.some((u) => u.spawned && u.state === 'exited') && sleeping.length === 2
    }, 6000)
    const snap = await lab.snapshot()
    const root = snap.units.find((u) => u.runId === run.id && u.spawned)!
    expect(root.state).toBe('exited')
    const left = snap.units.filter(
      (u) => u.runId === run.id && u.kind === 'program' && !u.spawned && u.state === 'running',
    )
    expect(
      left
        .map((u) => u.command)
        .filter((c) => c === 'sleep 3' || c === 'sleep 4')
        .sort(),
    ).toEqual(['sleep 3', 'sleep 4'])
    expect(snap.runs.find((r) => r.id === run.id)?.status).toBe('running')
    const info = await lab.wait(run.id)
    expect(info.status).toBe('done')
    expect(info.endedAt! - info.startedAt).toBeGreaterThan(3500)
    const units = (await lab.snapshot()).units.filter((u) => u.runId === run.id)
    expect(units.every((u) => ['exited', 'killed', 'crashed'].includes(u.state))).toBe(true)
  })

  it('Stop ends the background child and the setsid grandchild', async () => {
    const lab = newLab({ intervalMs: 100 })
    const run = await lab.watch({
      command: 'sh',
      args: ['-c', 'sleep 6081 >/dev/null 2>&1 & setsid sh -c "sleep 6082 >/dev/null 2>&1 & exit 0"; exit 0'],
      label: 'sh',
    })
    expect(await waitFor(() => sleeps('6081').length === 1 && sleeps('6082').length === 1, 3000)).toBe(true)
    await waitFor(
      async () =>
        (await lab.snapshot()).units.filter((u) => u.runId === run.id && u.command?.startsWith('sleep 608')).length ===
        2,
      3000,
    )
    const info = await lab.stop({ runId: run.id })
    expect(info.status).toBe('stopped')
    expect(sleeps('6081')).toEqual([])
    expect(sleeps('6082')).toEqual([])
  })

  it('lab watch --duration ends what the program left behind and returns, though a child still holds its output pipe', async () => {
    const t0 = Date.now()
    const { code, out } = await runMain([
      'watch',
      '--duration',
      '1',
      '--interval',
      '100',
      '--',
      'sh',
      '-c',
      'sleep 6083 & setsid sh -c "sleep 6084 & exit 0"; exit 0',
    ])
    expect(code).toBe(0)
    expect(Date.now() - t0).toBeLessThan(8000)
    expect(out.at(-1)).toMatch(/stopped after --duration 1 s/)
    expect(out.some((l) => l.includes('sleep 6083'))).toBe(true)
    expect(out.some((l) => l.includes('sleep 6084'))).toBe(true)
    expect(sleeps('6083')).toEqual([])
    expect(sleeps('6084')).toEqual([])
  })
})
