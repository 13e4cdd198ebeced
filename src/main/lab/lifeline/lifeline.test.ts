import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { descendantsOf, listProcesses, processesTagged, type ProcIdentity } from '../sampling/linux/lineage'
import { waitFor } from '../testing/lab-fixture'
import { Lab } from '../lab'
import { OWNER_ENV } from './owner-tag'

const DOOMED = fileURLToPath(new URL('../testing/doomed-lab.ts', import.meta.url))

interface Doomed {
  child: ChildProcess
  info: { key: string; supervisor: number | null; pythonChildren: number; nodeUnits: number }
}

const started: ChildProcess[] = []
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
})

async function startDoomedLab(stateDir: string): Promise<Doomed> {
  const child = spawn(process.execPath, ['--import', 'tsx', DOOMED, stateDir], { stdio: ['ignore', 'pipe', 'inherit'] })
  started.push(child)
  const line = await new Promise<string>((resolve, reject) => {
    let buf = ''
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString()
      if (buf.includes('\n')) resolve(buf.split('\n')[0])
    })
    child.once('exit', (code) => reject(new Error(`the lab exited early (${code})`)))
  })
  return { child, info: JSON.parse(line) }
}

/** Found independently of the lab: everything below the lab's PID, plus the marked sleeps wherever they went. */
function everythingOf(labPid: number): ProcIdentity[] {
  const procs = listProcesses()
  const marked = procs.filter((p) => {
    try {
      return /^sleep\x00607[123]\x00$/.test(readFileSync(`/proc/${p.pid}/cmdline`, 'latin1'))
    } catch {
      return false
    }
  })
  const found = new Map<number, ProcIdentity>()
  for (const p of [
    ...descendantsOf([labPid], procs),
    ...marked,
    ...descendantsOf(
      marked.map((m) => m.pid),
      procs,
    ),
  ])
    found.set(p.pid, p)
  return [...found.values()]
}

function alive(list: readonly ProcIdentity[]): ProcIdentity[] {
  const now = listProcesses()
  return list.filter((p) => now.some((q) => q.pid === p.pid && q.startTime === p.startTime))
}

describe.skipIf(process.platform !== 'linux')('nothing the lab started outlives it', () => {
  it('SIGKILL of the lab: Node process units, a multiprocessing pair, a process pool and a program that left a background child and a setsid grandchild all end within 5 s', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'lab-state-'))
    const { child, info } = await startDoomedLab(stateDir)
    expect(info.nodeUnits).toBeGreaterThanOrEqual(2)
    expect(info.pythonChildren).toBeGreaterThanOrEqual(4)
    const before = everythingOf(child.pid!)
    // The lab's own: units, python and its workers, the program, both sleeps (one of them escaped by setsid).
    expect(before.length).toBeGreaterThanOrEqual(10)
    expect(
      before.filter((p) => readFileSync(`/proc/${p.pid}/cmdline`, 'latin1').startsWith('sleep\u00006072')),
    ).toHaveLength(1)
    const supervisor = before.find((p) => p.pid === info.supervisor)
    child.kill('SIGKILL')
    const clean = await waitFor(() => alive(before).filter((p) => p.pid !== supervisor?.pid).length === 0, 5000, 100)
    expect(alive(before).filter((p) => p.pid !== supervisor?.pid)).toEqual([])
    expect(clean).toBe(true)
    // The supervisor leaves once it has swept.
    expect(await waitFor(() => supervisor === undefined || alive([supervisor]).length === 0, 5000, 100)).toBe(true)
  }, 60_000)

  it('after a lab and its supervisor are both SIGKILLed, the next lab ends the survivors and says so once; a live lab is never touched', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'lab-state-'))
    const live = new Lab({ intervalMs: 200, stateDir })
    try {
      // A live lab with a program running: its record must survive the next lab's check.
      const liveRun = await live.watch({ command: 'sleep', args: ['6074'], label: 'sleep' })
      const { child, info } = await startDoomedLab(stateDir)
      expect(readdirSync(stateDir).filter((f) => f.endsWith('.json')).length).toBe(2)
      process.kill(info.supervisor!, 'SIGKILL')
      child.kill('SIGKILL')
      await waitFor(() => child.exitCode !== null || child.signalCode !== null, 2000)
      // The kernel ends what it can (setpriv's parent-death signal); Python's workers and the sleeps remain.
      await new Promise((r) => setTimeout(r, 300))
      const survivors = processesTagged(OWNER_ENV, info.key)
      expect(survivors.length).toBeGreaterThan(0)

      const next = new Lab({ intervalMs: 100, stateDir })
      const ticks: string[] = []
      next.onTick((t) => ticks.push(...t.logs.map((l) => l.text)))
      try {
        expect(next.lifeline.survivors.ended.length).toBeGreaterThanOrEqual(survivors.length)
        expect(next.lifeline.survivors.labs.map((l) => l.pid)).toEqual([child.pid])
        expect(await waitFor(() => alive(survivors).length === 0, 2000)).toBe(true)
        await waitFor(() => ticks.length > 0, 2000)
        expect(
          ticks.filter((t) => /^Ended \d+ process(es)? left running by a lab that did not shut down/.test(t)),
        ).toHaveLength(1)
        // The live lab's program and record are untouched.
        expect((await live.snapshot()).runs.find((r) => r.id === liveRun.id)?.status).toBe('running')
        expect(readdirSync(stateDir).some((f) => f === `${live.lifeline.key}.json`)).toBe(true)
      } finally {
        await next.close()
      }
    } finally {
      await live.close()
    }
  }, 60_000)
})
