// The browser mode's single-instance lock: a live holder is named with its address, a dead one's lock is taken over.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startTimeOf } from '../lab/sampling/linux/lineage'
import { acquireInstanceLock } from './instance-lock'

const cleanup: (() => void)[] = []
afterEach(() => cleanup.splice(0).forEach((fn) => fn()))
const freshDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'lock-'))
  cleanup.push(() => rmSync(d, { recursive: true, force: true }))
  return d
}

describe('acquireInstanceLock', () => {
  it('takes a free lock, publishes the address, and releases it', async () => {
    const dir = freshDir()
    const got = await acquireInstanceLock(dir)
    expect('held' in got).toBe(true)
    if (!('held' in got)) return
    got.held.publish('http://127.0.0.1:1/?token=x')
    expect(existsSync(got.held.file)).toBe(true)
    got.held.release()
    expect(existsSync(got.held.file)).toBe(false)
  })

  it('names a live holder and its address', async () => {
    const dir = freshDir()
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' })
    cleanup.push(() => holder.kill('SIGKILL'))
    await new Promise((r) => holder.once('spawn', r))
    await new Promise((r) => setTimeout(r, 50))
    const startTime = startTimeOf(holder.pid!)!
    writeFileSync(
      join(dir, 'browser-mode.lock.json'),
      JSON.stringify({ pid: holder.pid, startTime, url: 'http://127.0.0.1:9/?token=t' }),
    )
    expect(await acquireInstanceLock(dir)).toEqual({ running: { pid: holder.pid, url: 'http://127.0.0.1:9/?token=t' } })
    // The same PID with another start time is another program (a reused PID): the lock is stale.
    writeFileSync(
      join(dir, 'browser-mode.lock.json'),
      JSON.stringify({ pid: holder.pid, startTime: startTime - 1, url: 'http://x' }),
    )
    expect('held' in (await acquireInstanceLock(dir))).toBe(true)
  })

  it('takes over the lock of a lab that is gone, and a garbled lock', async () => {
    const dir = freshDir()
    writeFileSync(
      join(dir, 'browser-mode.lock.json'),
      JSON.stringify({ pid: 4_000_000, startTime: 1, url: 'http://old' }),
    )
    expect('held' in (await acquireInstanceLock(dir))).toBe(true)
    const dir2 = freshDir()
    writeFileSync(join(dir2, 'browser-mode.lock.json'), 'garbage')
    expect('held' in (await acquireInstanceLock(dir2))).toBe(true)
  })
})
