// Real runs recorded and replayed: every tick comes back as the live views saw it; a SIGKILLed lab loses at most a second.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Tick } from '../../../shared/model'
import { SessionState } from '../../../shared/recording/session-state'
import { recordTicks, useLabs, waitFor } from '../testing/lab-fixture'
import { RecordingReader } from './reader'
import { listSessions } from './sessions-dir'

const newLab = useLabs()

const thousandths = (v: unknown): unknown =>
  JSON.parse(JSON.stringify(v), (_k, x: unknown) => (typeof x === 'number' ? Math.round(x * 100) / 100 : x))

/** What the table shows: each unit's identity and state with its latest CPU and memory. */
function table(s: SessionState): unknown {
  return thousandths([...s.units.values()].map((u) => ({ ...u, sample: s.latest.get(u.id) ?? null })))
}

describe('recording real runs', () => {
  it('replays a counters run with the lock toggled live exactly as the live views showed it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plab-rr-'))
    const lab = newLab({ recording: { dir, source: 'test' } })
    const live = recordTicks(lab)
    const seed = await lab.snapshot()
    const run = await lab.start({ scenario: 'counters', params: { mode: 'thread', loop: true, delay: 10 } })
    await waitFor(() => live.reduce((n, t) => n + t.logs.length, 0) >= 10, 20_000)
    await lab.setLock({ runId: run.id, on: true })
    await waitFor(() => live.reduce((n, t) => n + t.logs.length, 0) >= 40, 20_000)
    await lab.setLock({ runId: run.id, on: false })
    await waitFor(() => live.reduce((n, t) => n + t.logs.length, 0) >= 60, 20_000)
    await lab.stop({ runId: run.id })
    await lab.close()

    const [listed] = listSessions(dir)
    expect(listed.what).toBe('counters')
    expect(listed.complete).toBe(true)
    const r = RecordingReader.open(listed.path)
    expect(r.problem).toBeNull()
    const replayed = [...r.ticks()]
    const recordedFrom = replayed[0].seq
    const liveRecorded = live.filter((t) => t.seq >= recordedFrom)
    expect(replayed.length).toBe(liveRecorded.length)
    expect(thousandths(replayed)).toEqual(thousandths(liveRecorded))

    // The same fold the views make, live and at every replayed instant: same units, states, CPU figures, log, timeline.
    const liveState = new SessionState()
    liveState.seed(seed.t, seed.units, [])
    for (const t of live.filter((x) => x.seq < recordedFrom)) liveState.applyTick(t)
    for (const tick of liveRecorded) {
      liveState.applyTick(tick)
      const at = r.stateAt(tick.t)
      expect(at.seq).toBe(tick.seq)
      expect(table(at)).toEqual(table(liveState))
      expect(at.logs.map((l) => l.text)).toEqual(liveState.logs.map((l) => l.text))
      expect(Object.fromEntries(at.transitions)).toEqual(Object.fromEntries(liveState.transitions))
    }
    const marks = r.stateAt(r.lastT).events.flatMap((e) => (e.type === 'mark' ? [e.text] : []))
    expect(marks).toEqual(expect.arrayContaining(['lock on', 'lock off']))
    const summary = [...r.records()].find((x) => x.k === 'summary')
    expect(summary?.k === 'summary' && summary.summary.units.length).toBe(2)
  })

  it('records nothing when recording is off', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plab-off-'))
    const lab = newLab({ recording: { dir, enabled: false } })
    const run = await lab.start({ scenario: 'counters', params: { mode: 'thread' } })
    await lab.wait(run.id)
    await lab.close()
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([])
  })

  it('survives a SIGKILL of the lab: the file opens and lacks at most the last second', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'plab-kill-')), 'killed.plrec')
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, '..', 'testing', 'record-child.ts'), file],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const seen: Tick[] = []
    let buf = ''
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString()
      const lines = buf.split('\n')
      buf = lines.pop()!
      for (const l of lines) if (l.startsWith('{')) seen.push(JSON.parse(l) as Tick)
    })
    await waitFor(() => seen.length >= 35, 30_000)
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('exit', resolve))
    const lastLive = seen[seen.length - 1].t

    const r = RecordingReader.open(file)
    expect(r.complete).toBe(false)
    expect(r.problem).toMatch(/end record is missing/)
    const ticks = [...r.ticks()]
    expect(ticks.length).toBeGreaterThan(10)
    // Flushes happen every second; a tick may be in flight when the kill lands.
    expect(lastLive - ticks[ticks.length - 1].t).toBeLessThanOrEqual(1000 + 2 * 100)
    expect(ticks.some((t) => t.logs.length > 0)).toBe(true)
  })
})
