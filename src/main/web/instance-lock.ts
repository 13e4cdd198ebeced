// One browser-mode lab per user: a lock file in the state folder names the running lab's PID and address.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { hasProcFs, startTimeOf } from '../lab/sampling/linux/lineage'

const LOCK_FILE = 'browser-mode.lock.json'

interface LockRecord {
  pid: number
  /** The holder's start time where procfs shows it: a PID reused by another program is not mistaken for the lab. */
  startTime: number | null
  /** Null while the holder is still starting its server. */
  url: string | null
}

export type LockOutcome = { held: InstanceLock } | { running: { pid: number; url: string | null } }

export class InstanceLock {
  constructor(readonly file: string) {}

  /** Records the address the running lab serves (the second launch prints it). */
  publish(url: string): void {
    writeRecord(this.file, { pid: process.pid, startTime: ownStartTime(), url })
  }

  /** Removes the lock if it is still this process's. */
  release(): void {
    if (readRecord(this.file)?.pid === process.pid) rmSync(this.file, { force: true })
  }
}

/**
 * Takes the lock, or names the lab that holds it. A lock left by a lab that is gone (crash, SIGKILL) is taken over.
 * A holder still starting gets `waitMs` to publish its address.
 */
export async function acquireInstanceLock(dir: string, waitMs = 10_000): Promise<LockOutcome> {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const file = join(dir, LOCK_FILE)
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, JSON.stringify({ pid: process.pid, startTime: ownStartTime(), url: null } satisfies LockRecord))
      closeSync(fd)
      return { held: new InstanceLock(file) }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    let holder = readRecord(file)
    const deadline = Date.now() + waitMs
    while (holder && alive(holder) && holder.url === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100))
      holder = readRecord(file)
    }
    if (holder && alive(holder)) return { running: { pid: holder.pid, url: holder.url } }
    // Stale (or unreadable): the lab that wrote it is gone.
    rmSync(file, { force: true })
  }
  throw new Error(`The lock file ${file} keeps changing: another Parallel Lab is starting at the same time.`)
}

function alive(r: LockRecord): boolean {
  if (r.pid === process.pid) return false
  if (hasProcFs) {
    const started = startTimeOf(r.pid)
    return started !== null && (r.startTime === null || started === r.startTime)
  }
  try {
    // Signal 0 only asks whether the PID exists (where there is no procfs to read).
    process.kill(r.pid, 0)
    return true
  } catch {
    return false
  }
}

function ownStartTime(): number | null {
  return startTimeOf(process.pid)
}

function readRecord(file: string): LockRecord | null {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as LockRecord
    return Number.isInteger(r.pid) ? r : null
  } catch {
    return null
  }
}

function writeRecord(file: string, record: LockRecord): void {
  const tmp = `${file}.${process.pid}.tmp`
  const fd = openSync(tmp, 'w', 0o600)
  writeSync(fd, JSON.stringify(record))
  closeSync(fd)
  renameSync(tmp, file)
}
