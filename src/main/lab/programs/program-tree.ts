// One watched program: its root, the processes that descend from it and every OS thread of each, kept as units.
import { basename } from 'node:path'
import type { LogLine } from '../../../shared/model'
import type { LabClock } from '../clock'
import type { TreeScan, TreeScanner } from '../sampling/tree'
import type { Outbox, UnitTable } from '../unit-table'
import { exitState } from '../units/spawner'
import { ProgramHost, type ProgramCommand, type ProgramExit } from './program-host'
import { TreeFollower, type Member } from './tree-follower'
import { OWNER_ENV } from '../lifeline/owner-tag'
import { hasProcFs, TaggedProcessFinder } from '../sampling/linux/lineage'
import { toLabEvent, type ProgramMessage, parseProgramMessage } from './program-messages'

export interface ProgramTreeDeps {
  clock: LabClock
  units: UnitTable
  outbox: Outbox
  scanner: TreeScanner
  /** The lab's own unit: the root program's parent. */
  mainUnitId: string
}

export interface ProgramSpec extends ProgramCommand {
  label: string
  runId: string | null
}

const STDERR_TAIL = 5

/** SIGTERM to the whole tree, then SIGKILL to whatever is still there after this grace. */
export const TREE_STOP_GRACE_MS = 1000

export class ProgramTree {
  readonly host: ProgramHost
  readonly rootId: string
  /** Set by the program's `result` message. */
  result: unknown = undefined
  /** The last few stderr lines of the program. */
  readonly stderrTail: string[] = []
  private readonly follower: TreeFollower
  private stopping: Promise<void> | null = null
  /** Finds the processes carrying this program's owner tag (Linux), wherever they went. */
  private readonly tagged: TaggedProcessFinder | null
  /** Settles once the root has exited and every process of the tree has ended. */
  readonly drained: Promise<void>
  private markDrained!: () => void
  private scanning: Promise<void> | null = null
  /** Threads that have sent a message ("pid/tid"): the first one triggers a scan (if new) or a fresh read of the name. */
  private readonly reported = new Set<string>()

  constructor(
    private readonly deps: ProgramTreeDeps,
    readonly spec: ProgramSpec,
  ) {
    const { units, clock, outbox } = deps
    this.drained = new Promise((resolve) => (this.markDrained = resolve))
    const tag = spec.env?.[OWNER_ENV]
    this.tagged = tag && hasProcFs ? new TaggedProcessFinder(OWNER_ENV, tag) : null
    this.host = new ProgramHost(spec)
    this.rootId = units.nextId()
    this.follower = new TreeFollower(deps, { pid: this.host.pid, unitId: this.rootId }, spec.runId, false)
    units.add(
      this.follower.unit(
        this.rootId,
        'program',
        this.host.pid,
        null,
        deps.mainUnitId,
        spec.label,
        true,
        [spec.command, ...(spec.args ?? [])].join(' '),
      ),
    )
    if (this.host.pid > 0) units.setState(this.rootId, 'running', clock.now())
    if (!deps.scanner.threadsVisible) {
      this.log(
        `Threads are not shown on ${process.platform}: the ${deps.scanner.name} scanner sees processes only.`,
        'err',
      )
    }
    this.host.on('output', (text, stream) => {
      this.log(text, stream)
      if (stream === 'err' && this.stderrTail.push(text) > STDERR_TAIL) this.stderrTail.shift()
    })
    this.host.on('event', (raw) => {
      const msg = parseProgramMessage(raw)
      if (msg) this.onMessage(msg)
    })
    this.host.on('exit', (info) => this.onExit(info))
    if (this.host.pid > 0)
      outbox.events.push({
        type: 'mark',
        t: clock.now(),
        runId: spec.runId,
        text: `started ${basename(spec.command)} (pid ${this.host.pid})`,
      })
  }

  /** Stops following: the scanner's polling ends. */
  close(): void {
    this.deps.scanner.close()
  }

  get unitIds(): string[] {
    return this.follower.unitIds
  }

  private get members(): Map<number, Member> {
    return this.follower.members
  }

  private get threads(): Map<string, string> {
    return this.follower.threads
  }

  private memberStarts(): ReadonlyMap<number, number> {
    return this.follower.memberStarts()
  }

  /** Finds new processes and threads and ends the units of vanished ones. Called once per tick. */
  async refresh(): Promise<void> {
    if (this.host.pid <= 0) return
    this.scanning ??= this.scanOnce().finally(() => (this.scanning = null))
    return this.scanning
  }

  /** SIGTERM to the root, the group it leads and every member still verified as ours; SIGKILL after the grace. */
  stop(graceMs = TREE_STOP_GRACE_MS): Promise<void> {
    this.stopping ??= this.stopTree(graceMs)
    return this.stopping
  }

  private async stopTree(graceMs: number): Promise<void> {
    if (this.host.pid <= 0) return this.markDrained()
    this.host.markKilledByLab()
    await this.refresh()
    const deadline = Date.now() + graceMs
    await this.signalAll('SIGTERM')
    while (Date.now() < deadline && (await this.survivors()).length > 0) await sleep(25)
    if ((await this.survivors()).length > 0) await this.signalAll('SIGKILL')
    await this.host.exited
    for (let i = 0; i < 40 && (await this.survivors()).length > 0; i++) await sleep(25)
    await this.scanOnce()
    // What could not be ended is no longer ours to wait for; its pipes are let go so no reader hangs on them.
    this.markDrained()
    this.host.release()
  }

  /** Process ids of the tree still running: the root while unreaped, and every member still verified as ours. */
  private async survivors(): Promise<number[]> {
    const out: number[] = []
    if (this.host.unreaped) out.push(this.host.pid)
    for (const m of this.members.values()) if (await this.deps.scanner.verify(m.pid, m.startTime)) out.push(m.pid)
    return out
  }

  private async signalAll(signal: NodeJS.Signals): Promise<void> {
    const verified: { pid: number; pgrp: number }[] = []
    for (const m of this.members.values()) {
      const v = await this.deps.scanner.verify(m.pid, m.startTime)
      if (v) verified.push({ pid: m.pid, pgrp: v.pgrp })
    }
    // The group is signalled only while it provably holds our root or one of our members, never as a bare number.
    if (this.host.unreaped || verified.some((v) => v.pgrp === this.host.pid)) this.host.signalGroup(signal)
    this.host.signalRoot(signal)
    for (const v of verified) {
      try {
        process.kill(v.pid, signal)
      } catch {
        // Gone in between.
      }
    }
  }

  private async scanOnce(): Promise<void> {
    const members = this.memberStarts()
    let scan = await this.deps.scanner.scan(this.scanRoot, members)
    // Processes of this program that left its tree (reparented, or double-forked with setsid) and that the scan did not
    // reach are followed as members from now on: scanned again with them.
    const found = (): Set<number> => {
      const pids = new Set(scan.processes.map((p) => p.pid))
      for (const pid of members.keys()) pids.add(pid)
      return pids
    }
    const strays = (this.tagged?.find(found) ?? []).filter((p) => p.pid !== this.host.pid)
    if (strays.length > 0) {
      const withStrays = new Map(members)
      for (const p of strays) withStrays.set(p.pid, p.startTime)
      scan = await this.deps.scanner.scan(this.scanRoot, withStrays)
    }
    this.apply(scan)
  }

  private apply(scan: TreeScan): void {
    this.follower.apply(scan, this.stopping ? 'killed' : 'exited')
    if (!this.host.alive && this.members.size === 0) this.markDrained()
  }

  /** The unit a message came from: its thread, else its process, else the root. A thread not seen yet triggers one scan. */
  private unitFor(pid: number | null, tid: number | null): string {
    if (pid === null) return this.rootId
    const key = `${pid}/${tid}`
    const find = (): string | undefined =>
      (tid !== null ? this.threads.get(key) : undefined) ??
      (pid === this.host.pid ? this.rootId : this.members.get(pid)?.unitId)
    const id = tid !== null ? this.threads.get(key) : undefined
    if (id !== undefined) {
      if (!this.reported.has(key)) this.rename(id, pid, tid!)
      return id
    }
    if (!this.reported.has(key)) {
      this.reported.add(key)
      const scan = this.deps.scanner.scanNow(this.scanRoot, this.memberStarts())
      if (scan) this.apply(scan)
    }
    return find() ?? this.rootId
  }

  /** A thread's first message: its name may have been set after the scan that found it. */
  private rename(id: string, pid: number, tid: number): void {
    this.reported.add(`${pid}/${tid}`)
    const name = this.deps.scanner.readThreadName(pid, tid)
    if (name && this.deps.units.get(id)?.command !== name)
      this.deps.units.update(id, { command: name, label: this.follower.threadLabel({ pid, tid, name }) })
    // A child's main thread names the process: a child that names itself and ends before the next scan keeps its role.
    const member = this.members.get(pid)
    if (name && tid === pid && member && this.deps.units.get(member.unitId)?.label !== name)
      this.deps.units.update(member.unitId, { label: name })
  }

  /** The root's PID while Node has not reaped it; after that the number may already belong to another process. */
  private get scanRoot(): number {
    return this.host.unreaped ? this.host.pid : -1
  }

  private onMessage(msg: ProgramMessage): void {
    const { clock, units, outbox } = this.deps
    const unitId = this.unitFor(msg.pid, msg.tid)
    // The program's own clock, but never before the lab found the unit (a thread may report before a scan saw it).
    const stamped = msg.at !== null ? Math.min(clock.now(), clock.fromAbs(msg.at)) : clock.now()
    const t = Math.max(stamped, units.get(unitId)?.createdAt ?? stamped)
    switch (msg.type) {
      case 'result':
        this.result = msg.value
        break
      case 'log': {
        // Stamped as printed, not clamped to the unit's discovery: the log keeps the order the lines were printed in.
        const line: LogLine = { t: stamped, unit: unitId, runId: this.spec.runId, text: msg.text, stream: 'out' }
        if (msg.line !== undefined) line.line = msg.line
        outbox.logs.push(line)
        break
      }
      case 'thread': {
        const pid = msg.pid ?? this.host.pid
        // A thread named before any scan saw it: one scan finds it first.
        if (!this.threads.has(`${pid}/${msg.thread}`)) this.unitFor(pid, msg.thread)
        this.follower.nameThread(pid, msg.thread, msg.role, msg.name)
        break
      }
      case 'state':
        units.setState(unitId, msg.state, t)
        break
      default:
        outbox.events.push(toLabEvent(msg, t, this.spec.runId, unitId))
    }
  }

  private onExit(info: ProgramExit): void {
    const { units, clock } = this.deps
    const { state, error } = exitState(info, info.error)
    units.update(this.rootId, { exitCode: info.code, signal: info.signal, error })
    units.setState(this.rootId, state, clock.now())
    if (this.host.pid <= 0) this.markDrained()
  }

  private log(text: string, stream: 'out' | 'err'): void {
    this.deps.outbox.logs.push({ t: this.deps.clock.now(), unit: this.rootId, runId: this.spec.runId, text, stream })
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
