import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fakeUnit } from '../../../test/fixtures/unit'
import type { BlockReason, Sample } from '../../shared/model'
import { StuckDetector, STUCK_AFTER_MS, stuckSentence } from './stuck-detector'
import { recordTicks, useLabs, waitFor } from './testing/lab-fixture'
import { isFinal } from '../../shared/model'

/** The classic Lock example gone wrong: one thread raises while it holds the lock, the other waits for it forever. */
const DEADLOCK = `
import threading, time
lock = threading.Lock()
def first():
    lock.acquire()
    raise RuntimeError("died holding the lock")
def second():
    time.sleep(0.2)
    with lock:
        print("never")
a = threading.Thread(target=first); b = threading.Thread(target=second)
a.start(); b.start(); a.join(); b.join()
`

/** Threads that wait a long time, none of them on a lock: two in time.sleep, one in a read of a pipe nobody writes. */
const NOT_A_DEADLOCK = `
import os, threading, time
r, w = os.pipe()
def nap():
    time.sleep(60)
def read():
    os.read(r, 1)
for target in (nap, nap, read):
    threading.Thread(target=target, daemon=True).start()
time.sleep(60)
`

/** A sleeping thread's sample whose tick was spent blocked in `on`. */
function blockedIn(id: string, on: BlockReason | null): Sample {
  const blockedOn = { lock: 0, io: 0, sleep: 0, other: 0 }
  if (on) blockedOn[on] = 100
  return {
    id,
    cpu: 0,
    cpuSeconds: 0,
    rss: null,
    heap: null,
    os: 'S',
    time: on ? { onCpu: 0, runqueue: 0, blocked: 100, blockedOn } : null,
  }
}

describe('stuck detector', () => {
  it('needs every live thread waiting, for long enough; helpers and ended units do not count', () => {
    const d = new StuckDetector(() => 'futex')
    const units = [
      fakeUnit('u1', { tid: 11 }),
      fakeUnit('u2', { tid: 12 }),
      fakeUnit('u3', { tid: 13, helper: true }),
      fakeUnit('u4', { tid: 14, state: 'exited' }),
    ]
    const sleeping = new Map(
      ['u1', 'u2', 'u3'].map((id) => [id, { id, cpu: 0, cpuSeconds: 0, rss: null, heap: null, os: 'S' }]),
    )
    expect(d.check('r1', units, sleeping, 0)).toBeNull()
    const report = d.check('r1', units, sleeping, STUCK_AFTER_MS + 7000)!
    expect(report.units).toEqual(['u1', 'u2'])
    expect(stuckSentence(report, STUCK_AFTER_MS + 7000, (id) => id)).toBe(
      'possible deadlock: 2 threads waiting on a lock for 12 s (u1, u2)',
    )
    // One of them runs again: no longer stuck, and the clock starts over.
    sleeping.set('u2', { ...sleeping.get('u2')!, os: 'R' })
    expect(d.check('r1', units, sleeping, STUCK_AFTER_MS + 8000)).toBeNull()
    // Sleeping on something else than a lock (a read, a timer) is not a deadlock.
    const reading = new StuckDetector(() => 'other')
    reading.check(
      'r1',
      units,
      new Map(['u1', 'u2'].map((id) => [id, { id, cpu: 0, cpuSeconds: 0, rss: null, heap: null, os: 'S' }])),
      0,
    )
    expect(
      reading.check(
        'r1',
        units,
        new Map(['u1', 'u2'].map((id) => [id, { id, cpu: 0, cpuSeconds: 0, rss: null, heap: null, os: 'S' }])),
        60_000,
      ),
    ).toBeNull()
  })

  it("uses each thread's time split where the sampler has it, the futex look where it has not", () => {
    const units = [fakeUnit('u1', { tid: 11 }), fakeUnit('u2', { tid: 12 })]
    const stuckAfter = (d: StuckDetector, samples: Sample[]): boolean => {
      const map = new Map(samples.map((x) => [x.id, x]))
      d.check('r1', units, map, 0)
      return d.check('r1', units, map, STUCK_AFTER_MS) !== null
    }
    // Split says a lock: waiting, even where the futex look cannot tell (null) or sees something else at this instant.
    expect(stuckAfter(new StuckDetector(() => null), [blockedIn('u1', 'lock'), blockedIn('u2', 'lock')])).toBe(true)
    expect(stuckAfter(new StuckDetector(() => 'other'), [blockedIn('u1', 'lock'), blockedIn('u2', 'lock')])).toBe(true)
    // Split says a sleep, or I/O: not a lock, whatever the futex look says.
    expect(stuckAfter(new StuckDetector(() => 'futex'), [blockedIn('u1', 'sleep'), blockedIn('u2', 'lock')])).toBe(
      false,
    )
    expect(stuckAfter(new StuckDetector(() => 'futex'), [blockedIn('u1', 'lock'), blockedIn('u2', 'io')])).toBe(false)
    // Half the tick on a lock is not waiting on it.
    const half = blockedIn('u2', 'lock')
    half.time = { onCpu: 50, runqueue: 0, blocked: 50, blockedOn: { lock: 50, io: 0, sleep: 0, other: 0 } }
    expect(stuckAfter(new StuckDetector(() => 'futex'), [blockedIn('u1', 'lock'), half])).toBe(false)
    // No split (first sample, or off Linux): the futex look decides.
    expect(stuckAfter(new StuckDetector(() => 'futex'), [blockedIn('u1', null), blockedIn('u2', null)])).toBe(true)
    expect(stuckAfter(new StuckDetector(() => 'other'), [blockedIn('u1', null), blockedIn('u2', null)])).toBe(false)
  })

  const newLab = useLabs()
  it.skipIf(process.platform !== 'linux')(
    'names a real Python program whose thread died holding a lock',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lab-deadlock-'))
      writeFileSync(join(dir, 'deadlock.py'), DEADLOCK)
      const lab = newLab({ intervalMs: 250 })
      const run = await lab.watch({ command: 'python3', args: [join(dir, 'deadlock.py')], label: 'deadlock' })
      const warned = async (): Promise<boolean> =>
        ((await lab.snapshot()).runs.find((r) => r.id === run.id)?.warning ?? '').startsWith(
          'possible deadlock: 2 threads waiting on a lock for',
        )
      expect(await waitFor(warned, STUCK_AFTER_MS + 15_000, 200)).toBe(true)
      const info = (await lab.snapshot()).runs.find((r) => r.id === run.id)!
      expect(info.warningUnits).toHaveLength(2)
      await lab.stop({ runId: run.id })
    },
    40_000,
  )

  it.skipIf(process.platform !== 'linux')(
    'says nothing of a real Python program whose threads sleep or wait on I/O, not on a lock',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lab-not-deadlock-'))
      writeFileSync(join(dir, 'sleepers.py'), NOT_A_DEADLOCK)
      const lab = newLab({ intervalMs: 250 })
      const ticks = recordTicks(lab)
      const run = await lab.watch({ command: 'python3', args: [join(dir, 'sleepers.py')], label: 'sleepers' })
      const threadsOf = async (): Promise<number> =>
        (await lab.snapshot()).units.filter((u) => u.runId === run.id && u.kind === 'thread' && !isFinal(u.state))
          .length
      expect(await waitFor(async () => (await threadsOf()) === 4, 10_000, 100)).toBe(true)
      const seenAt = ticks.at(-1)?.t ?? 0
      // Long enough for the sentence to have come, were sleeping or reading taken for a lock.
      const warned = async (): Promise<boolean> => !!(await lab.snapshot()).runs.find((r) => r.id === run.id)?.warning
      expect(await waitFor(warned, STUCK_AFTER_MS + 3000, 200)).toBe(false)
      // The sampler did see the four threads blocked, in a sleep or in I/O: the detector had the split to read.
      const last = ticks.at(-1)!
      expect(last.t - seenAt).toBeGreaterThan(STUCK_AFTER_MS)
      const split = last.samples.filter((x) => x.time && x.os === 'S' && x.time.blocked > 90)
      expect(split.filter((x) => x.time!.blockedOn.sleep > 90).length).toBeGreaterThanOrEqual(3)
      expect(split.filter((x) => x.time!.blockedOn.io > 90).length).toBeGreaterThanOrEqual(1)
      await lab.stop({ runId: run.id })
    },
    40_000,
  )
})
