// The safety net behind the supervisor: each lab records what it started (PID + start time) in a state folder, one
// file per lab instance; the next lab to start ends the survivors of any lab that died without cleaning up.
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import {
  descendantsOf,
  hasProcFs,
  listProcesses,
  processesTagged,
  startTimeOf,
  type ProcIdentity,
} from '../sampling/linux/lineage'
import { labKey, OWNER_ENV, type LabIdentity } from './owner-tag'

export const STATE_DIR_ENV = 'PARALLEL_LAB_STATE_DIR'

export function stateDir(): string {
  return process.env[STATE_DIR_ENV] || join(homedir(), '.parallel-lab', 'state')
}

interface RecordFile {
  lab: LabIdentity
  key: string
  started: { pid: number; startTime: number }[]
}

/** Entries kept per lab: the oldest ended ones are dropped first. */
const MAX_ENTRIES = 500
const WRITE_DELAY_MS = 50

export class SurvivorRecords {
  private readonly started = new Map<number, number>()
  private timer: NodeJS.Timeout | null = null
  /** A write is on its way (off the lab's thread: a rename over a file can wait on the disk for a long while). */
  private writing = false
  private dirty = false
  private closed = false
  private readonly file: string

  constructor(
    private readonly dir: string,
    private readonly lab: LabIdentity,
  ) {
    this.file = join(dir, `${labKey(lab)}.json`)
  }

  add(pid: number, startTime: number): void {
    this.started.set(pid, startTime)
    this.schedule()
  }

  /** A process the lab saw end (its PID may be reused: the record would still tell it apart, but need not grow). */
  remove(pid: number): void {
    if (this.started.delete(pid)) this.schedule()
  }

  private schedule(): void {
    this.dirty = true
    if (this.timer || this.writing || this.closed) return
    this.timer = setTimeout(() => void this.write(), WRITE_DELAY_MS)
    this.timer.unref()
  }

  /**
   * Writes the file (atomically: a reader never sees half of it), in libuv's thread pool: the lab's thread never waits
   * for the disk. Changes made meanwhile go into the next write, scheduled as this one lands.
   */
  private async write(): Promise<void> {
    this.timer = null
    this.dirty = false
    this.writing = true
    while (this.started.size > MAX_ENTRIES) this.started.delete(this.started.keys().next().value!)
    const body: RecordFile = {
      lab: this.lab,
      key: labKey(this.lab),
      started: [...this.started].map(([pid, startTime]) => ({ pid, startTime })),
    }
    const tmp = `${this.file}.${process.pid}.tmp`
    try {
      await mkdir(this.dir, { recursive: true })
      await writeFile(tmp, JSON.stringify(body))
      await rename(tmp, this.file)
    } catch {
      // An unwritable state folder costs the safety net only; the supervisor still works.
    }
    this.writing = false
    if (this.closed) rmSync(this.file, { force: true })
    else if (this.dirty) this.schedule()
  }

  /** A clean shutdown: nothing left to end, so no record (a write still on its way removes it when it lands). */
  close(): void {
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    rmSync(this.file, { force: true })
  }
}

export interface SurvivorReport {
  /** Labs found dead with a record. */
  labs: LabIdentity[]
  ended: { pid: number; name: string }[]
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
  } catch {
    return '?'
  }
}

function readRecord(file: string): RecordFile | null {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as RecordFile
    return Number.isInteger(v?.lab?.pid) &&
      Number.isFinite(v.lab.startTime) &&
      typeof v.key === 'string' &&
      Array.isArray(v.started)
      ? v
      : null
  } catch {
    return null
  }
}

/**
 * Ends what labs that died left running: for each record whose lab is gone (its PID no longer has its start time), every
 * recorded process that still has its start time, every process carrying that lab's owner tag, and their descendants.
 * Records of a live lab are never touched: other labs may run on this machine at the same time.
 */
export function endSurvivors(dir: string, self: LabIdentity): SurvivorReport {
  const report: SurvivorReport = { labs: [], ended: [] }
  let files: string[]
  try {
    files = readdirSync(dir).filter((f) => f.startsWith('lab-') && f.endsWith('.json'))
  } catch {
    return report
  }
  for (const name of files) {
    const file = join(dir, name)
    const rec = readRecord(file)
    if (!rec) {
      rmSync(file, { force: true })
      continue
    }
    if (rec.key === labKey(self)) continue
    // Without /proc a start time cannot be checked: a PID alone might be another program now, so nothing is ended.
    if (!hasProcFs || startTimeOf(rec.lab.pid) === rec.lab.startTime) continue
    report.labs.push(rec.lab)
    for (let round = 0; round < 5; round++) {
      const procs = listProcesses()
      const targets = new Map<number, ProcIdentity>()
      for (const p of processesTagged(OWNER_ENV, rec.key, procs)) targets.set(p.pid, p)
      for (const s of rec.started) {
        const p = procs.find((x) => x.pid === s.pid && x.startTime === s.startTime)
        if (p) targets.set(p.pid, p)
      }
      for (const p of descendantsOf(targets.keys(), procs)) targets.set(p.pid, p)
      if (targets.size === 0) break
      for (const p of targets.values()) {
        const name = commOf(p.pid)
        try {
          process.kill(p.pid, 'SIGKILL')
          if (!report.ended.some((e) => e.pid === p.pid)) report.ended.push({ pid: p.pid, name })
        } catch {
          // Gone in between.
        }
      }
    }
    rmSync(file, { force: true })
  }
  return report
}
