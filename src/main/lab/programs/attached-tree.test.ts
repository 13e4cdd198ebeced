// Attaching to a Python program the test started outside the lab: its threads and child appear, End is refused,
// Detach leaves it running, and the program's own signal handler proves the lab never signalled it. Bad PIDs too.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { LabError, validators } from '../../../shared/contract'
import type { Unit } from '../../../shared/model'
import type { Lab } from '../lab'
import { readProcessIdentity } from '../sampling/linux/process-list'
import { procExists, useLabs, waitFor } from '../testing/lab-fixture'

const TARGET = join(import.meta.dirname, '../../../../e2e/fixtures/attach_target.py')
const newLab = useLabs()
const started: { child: ChildProcess; pids: number[]; dir: string }[] = []

afterEach(() => {
  for (const s of started.splice(0)) {
    for (const pid of s.pids) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
    rmSync(s.dir, { recursive: true, force: true })
  }
})

/** Starts the target outside any lab; resolves with its PID, its children's and the file its handlers write to. */
async function startTarget(
  args: string[] = [],
): Promise<{ pid: number; children: number[]; signals: string; child: ChildProcess }> {
  const dir = mkdtempSync(join(tmpdir(), 'attach-'))
  const signals = join(dir, 'signals.txt')
  const child = spawn('python3', [TARGET, '--signals', signals, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  const entry = { child, pids: [child.pid!], dir }
  started.push(entry)
  const line = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c
      const m = out.match(/ready .*\n/)
      if (m) resolve(m[0])
    })
    child.once('exit', (code) => reject(new Error(`target exited ${code}`)))
  })
  const [, pid, ...children] = line.trim().split(' ').map(Number)
  entry.pids.push(...children)
  return { pid, children, signals, child }
}

const unitsOf = async (lab: Lab, runId: string): Promise<Unit[]> =>
  (await lab.snapshot()).units.filter((u) => u.runId === runId)
const signalsReceived = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8') : '')

describe('attaching to a running process', () => {
  it('follows its threads and child; End is refused; Detach leaves it running; it is never signalled', async () => {
    const target = await startTarget(['--threads', '3', '--children', '1'])
    const lab = newLab({ intervalMs: 100 })
    const { run, unitId } = await lab.attach({ pid: target.pid })
    expect(
      await waitFor(async () => {
        const units = await unitsOf(lab, run.id)
        return (
          units.filter((u) => u.kind === 'thread' && u.pid === target.pid).length >= 4 &&
          units.some((u) => u.pid === target.children[0] && u.kind === 'program')
        )
      }, 10_000),
    ).toBe(true)
    const units = await unitsOf(lab, run.id)
    const root = units.find((u) => u.id === unitId)!
    expect(root).toMatchObject({
      pid: target.pid,
      kind: 'program',
      spawned: false,
      attached: true,
      parent: null,
      state: 'running',
    })
    expect(root.command).toContain('attach_target.py')
    const child = units.find((u) => u.pid === target.children[0] && u.kind === 'program')!
    expect(child.parent).toBe(unitId)
    expect(units.every((u) => u.attached === true)).toBe(true)
    // Samples arrive for the attached units (CPU, memory, OS state).
    const tick = await lab.flush()
    expect(tick.samples.find((s) => s.id === unitId)?.rss).toBeGreaterThan(0)

    for (const u of [root, child, units.find((u) => u.kind === 'thread')!]) {
      const refused = await lab.kill({ unitId: u.id }).catch((e: unknown) => e)
      expect(refused).toBeInstanceOf(LabError)
      expect((refused as LabError).message).toContain('Parallel Lab did not start this process')
    }
    // Attaching twice to the same process is refused.
    await expect(lab.attach({ pid: target.pid })).rejects.toThrow(/already attached/)

    const detached = await lab.detach({ unitId })
    expect(detached.status).toBe('stopped')
    const after = await unitsOf(lab, run.id)
    expect(after.every((u) => u.state === 'detached')).toBe(true)
    // Closing the lab must not touch it either.
    await lab.close()
    await new Promise((r) => setTimeout(r, 300))
    expect(procExists(target.pid)).toBe(true)
    expect(procExists(target.children[0])).toBe(true)
    expect(signalsReceived(target.signals)).toBe('')
  })

  it('says the exit code is not knowable when the process ends, and follows it to the end', async () => {
    const target = await startTarget(['--threads', '1', '--children', '0'])
    const lab = newLab({ intervalMs: 100 })
    const { run, unitId } = await lab.attach({ pid: target.pid })
    expect(await waitFor(async () => (await unitsOf(lab, run.id)).some((u) => u.kind === 'thread'), 10_000)).toBe(true)
    // The test, which started it, ends it: the lab only sees it go.
    process.kill(target.pid, 'SIGKILL')
    const info = await lab.wait(run.id)
    expect(info.status).toBe('done')
    expect(info.result).toMatchObject({
      exitCode: null,
      ended: 'exited',
      note: expect.stringContaining('not knowable'),
    })
    const root = (await unitsOf(lab, run.id)).find((u) => u.id === unitId)!
    expect(root).toMatchObject({ state: 'exited', exitCode: null })
    expect((await unitsOf(lab, run.id)).every((u) => u.state === 'exited')).toBe(true)
  })

  it('refuses a PID that does not exist, one reused since it was listed, the lab itself and its own children', async () => {
    const lab = newLab({ intervalMs: 100 })
    const target = await startTarget(['--threads', '0', '--children', '0'])
    const identity = readProcessIdentity(target.pid)!
    const fail = (p: Promise<unknown>): Promise<LabError> =>
      p.then(
        () => Promise.reject(new Error('accepted')),
        (e: LabError) => e,
      )

    const missing = await fail(lab.attach({ pid: 4_000_000 }))
    expect(missing.code).toBe('not-found')
    expect(missing.message).toMatch(/no process with PID 4000000/)
    const reused = await fail(lab.attach({ pid: target.pid, startTime: identity.startTime - 1 }))
    expect(reused.code).toBe('conflict')
    expect(reused.message).toMatch(/reused/)
    expect((await fail(lab.attach({ pid: process.pid }))).message).toMatch(/Parallel Lab itself/)
    const run = await lab.watch({ command: 'sleep', args: ['30'], label: 'sleep' })
    expect(
      await waitFor(async () => (await unitsOf(lab, run.id)).some((u) => u.pid > 0 && u.kind === 'program'), 5000),
    ).toBe(true)
    const own = (await unitsOf(lab, run.id)).find((u) => u.kind === 'program')!
    expect((await fail(lab.attach({ pid: own.pid }))).message).toMatch(/started by Parallel Lab/)

    // Gone between the listing and the attach.
    process.kill(target.pid, 'SIGKILL')
    await waitFor(() => !procExists(target.pid), 5000)
    target.child.unref()
    await new Promise((r) => target.child.once('exit', r).listenerCount('exit') && setTimeout(r, 200))
    const gone = await fail(lab.attach({ pid: target.pid, startTime: identity.startTime }))
    expect(gone.message).toMatch(/exited since it was listed|already exited/)

    // The boundary's own checks name the field.
    expect(validators.attach({ pid: 0 })).toMatchObject({ ok: false, errors: [{ field: 'pid' }] })
    expect(validators.attach({ pid: '12' })).toMatchObject({ ok: false, errors: [{ field: 'pid' }] })
    expect(validators.attach({ pid: 12, startTime: 1.5 })).toMatchObject({
      ok: false,
      errors: [{ field: 'startTime' }],
    })
    expect(validators.attach({ pid: 12, extra: 1 })).toMatchObject({ ok: false, errors: [{ field: 'extra' }] })
  })

  it('off Linux (the portable platform) the picker lists PIDs and attaching says what it needs', async () => {
    const lab = newLab({ intervalMs: 100, collector: 'pidusage' })
    const listing = await lab.listProcesses()
    expect(listing.processes.some((p) => p.pid === process.pid)).toBe(true)
    expect(listing.note).toMatch(/attaching needs Linux's \/proc/)
    await expect(lab.attach({ pid: process.ppid })).rejects.toThrow(/needs Linux's \/proc/)
  })
})
