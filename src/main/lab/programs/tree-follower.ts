// Keeps a followed process tree as units: the processes that descend from a root and every OS thread of each.
import { basename } from 'node:path'
import type { Unit, UnitKind, UnitState } from '../../../shared/model'
import type { LabClock } from '../clock'
import type { TreeProcess, TreeScan, TreeThread } from '../sampling/tree'
import type { Outbox, UnitTable } from '../unit-table'
import { ShortLivedLedger } from './short-lived-ledger'

export interface FollowerDeps {
  clock: LabClock
  units: UnitTable
  outbox: Outbox
}

export interface Member {
  unitId: string
  pid: number
  startTime: number
  /** Its parent's unit when found. */
  parentId: string
  /** CPU it used and its children left in it (ms) at the last scan: what its parent's children time will gain when it is reaped. */
  cpuMs: number
  childCpuMs: number
  /** The scan entry its unit was last brought up to date from (a scan hands on an unchanged entry as it is). */
  entry?: TreeProcess
  /** The apply it was last found in. */
  seenIn?: number
}

/**
 * The bookkeeping shared by a program the lab started and a process it attached to. It holds no way to signal
 * anything: ending processes is the owner's business (and an attached tree has no owner here).
 */
export class TreeFollower {
  readonly members = new Map<number, Member>()
  readonly threads = new Map<string, string>()
  private lastThreads: readonly TreeThread[] | null = null
  /** Names and roles the program gave its threads ("callbacks", a helper's "queue feeder"), by "pid/tid". */
  readonly roles = new Map<string, { role: 'helper' | 'own'; name: string }>()
  private readonly shortLived = new ShortLivedLedger()
  private applies = 0
  /** memberStarts' last answer; dropped whenever a member comes or goes. */
  private starts: { map: Map<number, number>; extraPid: number; extraStart: number } | null = null

  constructor(
    private readonly deps: FollowerDeps,
    /** The root process and its unit; the root is not a member. */
    readonly root: { pid: number; unitId: string },
    private readonly runId: string | null,
    /** Set on every unit found: true for a tree the lab attached to and must never signal. */
    private readonly attached: boolean,
  ) {}

  get unitIds(): string[] {
    return [this.root.unitId, ...[...this.members.values()].map((m) => m.unitId), ...this.threads.values()]
  }

  /**
   * Every member's start time by PID, and `extra`'s: the same map from scan to scan while the members stay the same
   * (a tick of a settled tree of hundreds of processes builds none).
   */
  memberStarts(extra?: { pid: number; startTime: number }): ReadonlyMap<number, number> {
    const c = this.starts
    if (c && c.extraPid === (extra?.pid ?? -1) && c.extraStart === (extra?.startTime ?? -1)) return c.map
    const map = new Map<number, number>()
    for (const m of this.members.values()) map.set(m.pid, m.startTime)
    if (extra) map.set(extra.pid, extra.startTime)
    this.starts = { map, extraPid: extra?.pid ?? -1, extraStart: extra?.startTime ?? -1 }
    return map
  }

  /** Adds new processes and threads, and ends (in state `ending`) the units of those that vanished. */
  apply(scan: TreeScan, ending: UnitState): void {
    const { units, clock } = this.deps
    const t = clock.now()
    const rootPid = this.root.pid
    const applied = ++this.applies
    // Indexed loops here: this runs once a tick, too seldom to be optimised, and an unoptimised for-of allocates a
    // result object per step (hundreds of processes a tick).
    const processes = scan.processes
    for (let i = 0; i < processes.length; i++) {
      const p = processes[i]
      if (p.pid === rootPid) continue
      const known = this.members.get(p.pid)
      if (known) {
        known.seenIn = applied
        // The very entry of the last scan: nothing about this process changed (an idle one of hundreds).
        if (known.entry === p) continue
        known.entry = p
        known.cpuMs = p.cpuMs ?? 0
        known.childCpuMs = p.childCpuMs ?? 0
        // A program may name its process after it started (a pool worker naming its main thread), and a child found
        // between its fork and its exec gets its own command line only then.
        const label = p.name || basename(p.cmdline.split(' ')[0] || 'process')
        const u = units.get(known.unitId)
        if (u?.label !== label) units.update(known.unitId, { label })
        if (p.cmdline && u?.command !== p.cmdline) units.update(known.unitId, { command: p.cmdline })
        continue
      }
      const label = p.name || basename(p.cmdline.split(' ')[0] || 'process')
      const parent = p.ppid === rootPid ? this.root.unitId : (this.members.get(p.ppid)?.unitId ?? this.root.unitId)
      const id = units.nextId()
      // Found already running: created in that state, at the scan's time.
      units.add(this.unit(id, 'program', p.pid, null, parent, label, false, p.cmdline || null, t))
      this.starts = null
      this.members.set(p.pid, {
        unitId: id,
        pid: p.pid,
        startTime: p.startTime,
        parentId: parent,
        cpuMs: p.cpuMs ?? 0,
        childCpuMs: p.childCpuMs ?? 0,
        entry: p,
        seenIn: applied,
      })
    }
    this.members.forEach((m) => {
      if (m.seenIn === applied) return
      units.setState(m.unitId, ending, t)
      this.members.delete(m.pid)
      this.starts = null
      this.shortLived.ended(m.parentId, m.cpuMs + m.childCpuMs)
    })
    this.countShortLived(scan)
    // The scanner hands back the very same thread list while nothing about the threads changed.
    if (scan.threads === this.lastThreads) return
    this.lastThreads = scan.threads
    const seen = new Set<string>()
    for (const th of scan.threads) {
      const key = `${th.pid}/${th.tid}`
      seen.add(key)
      const existing = this.threads.get(key)
      if (existing) {
        if (units.get(existing)?.command !== th.name)
          units.update(existing, { command: th.name, label: this.threadLabel(th) })
        continue
      }
      const parent = th.pid === rootPid ? this.root.unitId : this.members.get(th.pid)?.unitId
      if (!parent) continue
      const id = units.nextId()
      units.add({
        ...this.unit(id, 'thread', th.pid, th.tid, parent, this.threadLabel(th), false, th.name, t),
        helper: this.roles.get(key)?.role === 'helper',
      })
      this.threads.set(key, id)
    }
    for (const [key, id] of this.threads) {
      if (seen.has(key)) continue
      units.setState(id, ending, t)
      this.threads.delete(key)
    }
  }

  /** Short-lived processes under the process they were children of, and the CPU their parents' totals show they used. */
  private countShortLived(scan: TreeScan): void {
    const unitOf = (pid: number): string | undefined =>
      pid === this.root.pid ? this.root.unitId : this.members.get(pid)?.unitId
    const parentOf = new Map(scan.shortLived.map((s) => [s.pid, s.ppid]))
    for (const s of scan.shortLived) {
      // A child of a short-lived process counts under the nearest process of the tree.
      let ppid = s.ppid
      for (let hops = 0; unitOf(ppid) === undefined && parentOf.has(ppid) && hops < 64; hops++)
        ppid = parentOf.get(ppid)!
      this.shortLived.seen(unitOf(ppid) ?? this.root.unitId, s.name)
    }
    for (let i = 0; i < scan.processes.length; i++) {
      const p = scan.processes[i]
      const unit = unitOf(p.pid)
      if (unit !== undefined && p.childCpuMs !== null) this.shortLived.childTime(unit, p.childCpuMs)
    }
    for (const c of this.shortLived.drain()) this.deps.outbox.addTransient(c.unit, c.processes, c.cpuMs, c.names)
  }

  /**
   * A thread's own name ("khanh", "pool_0"), or the one the program gave it: the tree shows whose it is. A process's
   * first thread says it is the main one, as its name is the process's.
   */
  threadLabel(th: Pick<TreeThread, 'pid' | 'tid' | 'name'>): string {
    const given = this.roles.get(`${th.pid}/${th.tid}`)
    if (given) return given.name
    return `${th.name}${th.tid === th.pid ? ' (main thread)' : ''}`
  }

  /** The program says what one of its threads is; a helper is folded away by the views. */
  nameThread(pid: number, tid: number, role: 'helper' | 'own', name: string): void {
    const key = `${pid}/${tid}`
    this.roles.set(key, { role, name })
    const id = this.threads.get(key)
    if (id) this.deps.units.update(id, { label: name, helper: role === 'helper' })
  }

  /** Ends every unit still open (the root included) in `state`: the tree is no longer followed. */
  endAll(state: UnitState): void {
    const t = this.deps.clock.now()
    for (const id of this.unitIds) this.deps.units.setState(id, state, t)
    this.members.clear()
    this.starts = null
    this.threads.clear()
    this.lastThreads = null
  }

  /** A unit record; `runningSince` = found already running at that time, else it is only starting. */
  unit(
    id: string,
    kind: UnitKind,
    pid: number,
    tid: number | null,
    parent: string | null,
    label: string,
    spawned: boolean,
    command: string | null,
    runningSince?: number,
  ): Unit {
    return {
      id,
      kind,
      pid,
      tid,
      parent,
      label,
      runId: this.runId,
      createdAt: runningSince ?? this.deps.clock.now(),
      endedAt: null,
      spawned,
      ...(this.attached ? { attached: true } : {}),
      state: runningSince === undefined ? 'starting' : 'running',
      exitCode: null,
      signal: null,
      error: null,
      command,
    }
  }
}
