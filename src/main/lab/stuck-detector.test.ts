import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fakeUnit } from '../../../test/fixtures/unit'
import { StuckDetector, STUCK_AFTER_MS, stuckSentence } from './stuck-detector'
import { useLabs, waitFor } from './testing/lab-fixture'

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
})
