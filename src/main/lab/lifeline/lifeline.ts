// What ties everything a lab starts to the lab's life: the owner tag in every child's environment, a supervisor process
// (started with the first child) that ends the lot if the lab dies, and the survivor records for the next start.
import { fork, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { hasProcFs, startTimeOf } from '../sampling/linux/lineage'
import { packageRoot } from '../units/host-file'
import { labKey, OWNER_ENV, programTag, type LabIdentity } from './owner-tag'
import type { FromSupervisor, ToSupervisor } from './supervisor-protocol'
import { endSurvivors, stateDir, SurvivorRecords, type SurvivorReport } from './survivor-records'

export function defaultSupervisorFile(): string {
  return join(packageRoot(), 'out', 'lab', 'supervisor.mjs')
}

export interface LifelineOptions {
  supervisorFile?: string
  stateDir?: string
}

const SWEEP_TIMEOUT_MS = 3000

export class Lifeline {
  readonly identity: LabIdentity
  readonly key: string
  /** What the start-up check ended, left by labs that died. */
  readonly survivors: SurvivorReport
  private readonly records: SurvivorRecords
  private supervisor: ChildProcess | null = null
  private readonly supervisorFile: string
  private readonly sweeps = new Map<number, (ended: number) => void>()
  private nextSweep = 1
  private closed = false

  constructor(opts: LifelineOptions = {}) {
    const startTime = startTimeOf(process.pid) ?? Math.round(Date.now() - process.uptime() * 1000)
    this.identity = { pid: process.pid, startTime, nonce: randomBytes(4).toString('hex') }
    this.key = labKey(this.identity)
    const dir = opts.stateDir ?? stateDir()
    this.records = new SurvivorRecords(dir, this.identity)
    this.supervisorFile = opts.supervisorFile ?? defaultSupervisorFile()
    this.survivors = endSurvivors(dir, this.identity)
  }

  /** Environment entries for a unit (`subTag` absent) or one program's tree (a sub-tag of this lab's key). */
  env(subTag?: string): Record<string, string> {
    return { [OWNER_ENV]: subTag ? programTag(this.key, subTag) : this.key }
  }

  /** The supervisor's PID while it runs (it starts with the first child process). */
  get supervisorPid(): number | null {
    return this.supervisor?.pid ?? null
  }

  /** A process the lab just started: recorded, and followed by the supervisor. */
  own(pid: number): void {
    if (pid <= 0 || this.closed) return
    const startTime = startTimeOf(pid) ?? -1
    if (hasProcFs && startTime < 0) return
    this.records.add(pid, startTime)
    this.send({ t: 'own', pid, startTime })
  }

  /** A process the lab saw end: out of the record (the supervisor needs it only where start times cannot be read). */
  gone(pid: number): void {
    this.records.remove(pid)
    if (!hasProcFs && this.supervisor?.connected) this.send({ t: 'gone', pid })
  }

  private send(msg: ToSupervisor): void {
    const sup = this.ensureSupervisor()
    if (sup?.connected) sup.send(msg, () => undefined)
  }

  private ensureSupervisor(): ChildProcess | null {
    if (this.supervisor || this.closed || !existsSync(this.supervisorFile)) return this.supervisor
    // Its own session, so a Ctrl-C meant for the lab's group does not end it before it has cleaned up; it carries no
    // owner tag of this lab, so its own sweep never ends it.
    const env: NodeJS.ProcessEnv = { ...process.env }
    if (process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1'
    const sup = fork(this.supervisorFile, [this.key], {
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      execArgv: [],
      env,
      serialization: 'json',
    })
    sup.on('error', () => undefined)
    sup.on('message', (raw) => {
      const msg = raw as FromSupervisor
      if (msg.t === 'swept') {
        this.sweeps.get(msg.id)?.(msg.ended)
        this.sweeps.delete(msg.id)
      }
    })
    sup.on('exit', () => {
      if (this.supervisor === sup) this.supervisor = null
      for (const done of this.sweeps.values()) done(0)
      this.sweeps.clear()
    })
    sup.unref()
    ;(sup.channel as { unref?: () => void } | undefined)?.unref?.()
    this.supervisor = sup
    return sup
  }

  /** Ends every process still carrying this lab's tag (what a program left behind), and says how many. */
  sweep(): Promise<number> {
    const sup = this.supervisor
    if (!sup?.connected) return Promise.resolve(0)
    const id = this.nextSweep++
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sweeps.delete(id)
        resolve(0)
      }, SWEEP_TIMEOUT_MS)
      this.sweeps.set(id, (n) => {
        clearTimeout(timer)
        resolve(n)
      })
      sup.send({ t: 'sweep', id } satisfies ToSupervisor, () => undefined)
    })
  }

  /** The lab's clean shutdown: a last sweep, then the supervisor leaves (its pipe closes) and the record goes. */
  async close(): Promise<void> {
    if (this.closed) return
    await this.sweep()
    this.closed = true
    const sup = this.supervisor
    if (sup?.connected) {
      const exited = new Promise<void>((resolve) => sup.once('exit', () => resolve()))
      sup.disconnect()
      await Promise.race([exited, new Promise((r) => setTimeout(r, SWEEP_TIMEOUT_MS))])
    }
    this.records.close()
  }
}
