// A CPU clock over a /proc file stops reading once its task is gone, and never reads a file that took its descriptor.
import { spawn } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createLinuxThreadClock, fileClock } from './thread-clock'

describe.runIf(process.platform === 'linux')('a /proc CPU clock', () => {
  it('reads this thread in ms and keeps rising', () => {
    const clock = createLinuxThreadClock()!
    const a = clock()!
    const end = performance.now() + 30
    while (performance.now() < end) {
      // Spin so the clock must move.
    }
    expect(clock()!).toBeGreaterThan(a)
  })

  it('returns null after its task ended, even when the freed descriptor number now belongs to another file', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' })
    const clock = fileClock(`/proc/${child.pid}/stat`, false)!
    expect(clock()).toBeGreaterThanOrEqual(0)
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
    expect(clock()).toBeNull()
    // The lowest free descriptor is the one the clock just closed: a file that looks like a stat line takes it.
    const dir = mkdtempSync(join(tmpdir(), 'clock-'))
    const fake = join(dir, 'stat')
    writeFileSync(fake, '1 (decoy) R 0 0 0 0 0 0 0 0 0 0 500 500 0 0 20 0 1 0 1 0 0\n')
    const fd = openSync(fake, 'r')
    try {
      expect(clock()).toBeNull()
      expect(clock()).toBeNull()
    } finally {
      closeSync(fd)
      rmSync(dir, { recursive: true })
    }
  })
})
