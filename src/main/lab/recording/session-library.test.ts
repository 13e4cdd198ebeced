// The sessions folder through the LabApi commands: list, open, frames at an instant, totals, uploads, delete.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { callCommand } from '../../dispatch'
import { UPLOAD_PART_CHARS } from '../../../shared/contract'
import { totalsOf } from '../../../shared/recording/totals'
import { RecordingReader } from './reader'
import { recordTicks, useLabs } from '../testing/lab-fixture'

const newLab = useLabs()

describe('session library', () => {
  it('lists, opens, frames, totals, uploads and deletes recordings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plab-lib-'))
    const lab = newLab({ recording: { dir } })
    const run = await lab.start({ scenario: 'counters', params: { mode: 'thread', from: 30, delay: 20 } })
    await lab.wait(run.id)
    await lab.flush()
    await lab.flush()
    await new Promise((r) => setTimeout(r, 300))
    const [s] = await lab.listSessions()
    expect(s.what).toBe('counters')
    expect(s.complete).toBe(true)
    const info = await lab.openSession({ name: s.name })
    expect(info.tickTimes.length).toBeGreaterThan(2)
    const mid = info.tickTimes[Math.floor(info.tickTimes.length / 2)]
    const frame = await lab.sessionFrame({ name: s.name, t: mid, historyMs: 0 })
    expect(frame.base.t).toBe(mid)
    expect(frame.ticks).toEqual([])
    const withHistory = await lab.sessionFrame({ name: s.name, t: mid, historyMs: 60_000 })
    expect(withHistory.ticks.at(-1)?.t).toBe(mid)
    const totals = await lab.sessionTotals({ name: s.name })
    expect(totals.series.length).toBeGreaterThanOrEqual(2)
    expect(totals.wallMs).toBeGreaterThan(0)

    // Upload in parts through the validated boundary; a file that is not a recording is refused and nothing is written.
    const b64 = readFileSync(join(dir, s.name)).toString('base64')
    const parts = Math.ceil(b64.length / UPLOAD_PART_CHARS)
    let reply
    for (let i = 0; i < parts; i++) {
      reply = await callCommand(lab, 'uploadSession', {
        upload: 'u1',
        fileName: 'mine.plrec',
        part: i,
        data: b64.slice(i * UPLOAD_PART_CHARS, (i + 1) * UPLOAD_PART_CHARS),
        last: i === parts - 1,
      })
      expect(reply.ok).toBe(true)
    }
    expect(reply?.ok && (reply.value as { what: string }).what).toBe('counters')
    const bad = await callCommand(lab, 'uploadSession', {
      upload: 'u2',
      fileName: 'notes.txt',
      part: 0,
      data: Buffer.from('hello').toString('base64'),
      last: true,
    })
    expect(bad.ok || bad.error.message).toBe(
      'notes.txt is not a Parallel Lab recording (it does not start with the PARALLEL-LAB-RECORDING header).',
    )
    expect(readdirSync(dir).length).toBe(2)
    const escape = await callCommand(lab, 'openSession', { name: '../etc/passwd' })
    expect(escape.ok).toBe(false)
    await lab.deleteSession({ name: s.name })
    expect(readdirSync(dir).length).toBe(1)
  })

  it('totals of the live run from the ticks a window saw equal the totals of its recording', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plab-live-'))
    const lab = newLab({ recording: { dir } })
    const seen = recordTicks(lab)
    const run = await lab.start({ scenario: 'counters', params: { mode: 'process', from: 15, delay: 20 } })
    await lab.wait(run.id)
    await lab.flush()
    await lab.flush()
    await lab.recorder.finish()
    const [s] = await lab.listSessions()
    const recorded = await lab.sessionTotals({ name: s.name })
    // What the renderer does for "Live (this window)": no started items, only ticks (the first keyframe of units
    // is the window's own base state; here every unit came in a tick).
    const live = totalsOf(
      ':live',
      seen.map((tick) => ({ k: 'tick' as const, tick })),
      'Live (this window)',
    )
    expect(live.what).toBe('Live (this window)')
    expect(live.cpuSeconds).toBeGreaterThan(0)
    expect(live.cpuSeconds).toBeCloseTo(recorded.cpuSeconds, 2)
    expect(live.peakRss).toBe(recorded.peakRss)
    expect(live.peakCpu).toBeCloseTo(recorded.peakCpu, 1)
    expect(live.series.map((x) => x.label).sort()).toEqual(recorded.series.map((x) => x.label).sort())
    // Live time starts at the first tick with a unit of the run; the recording's when the run was started.
    const startedAt = RecordingReader.open(join(dir, s.name)).startedItems()[0].t
    const ofRun = new Set(seen.flatMap((t) => t.units.filter((u) => u.runId === run.id).map((u) => u.id)))
    const firstSeen = seen.find((t) => t.samples.some((x) => ofRun.has(x.id)))!
    expect(live.series.every((x) => x.points[0][0] >= 0)).toBe(true)
    expect(live.wallMs).toBeGreaterThan(0)
    expect(recorded.wallMs - live.wallMs).toBeCloseTo(firstSeen.t - startedAt, 6)
  })
})
