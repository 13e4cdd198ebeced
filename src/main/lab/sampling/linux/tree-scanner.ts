// Follows process trees through /proc: which processes descend from a root, and every OS thread of each, by name.
import { readdirSync } from 'node:fs'
import type { TreeProcess, TreeScan, TreeScanner, TreeThread } from '../tree'
import {
  lastPidGiven,
  openProcFile,
  parseSchedstat,
  parseStat,
  parseStatmResident,
  readProcText,
  statusNumber,
  USER_HZ,
  type ProcFile,
  type RecentStats,
  type Stat,
} from './procfs'
import { ShortLivedWatch } from './short-lived'

interface ProcEntry {
  name: string
  ppid: number
  pgrp: number
  startTime: number
  zombie: boolean
  /** num_threads (field 20). */
  threads: number
  cpuMs: number
  childCpuMs: number
}

function entryOf(stat: Stat | null): ProcEntry | null {
  if (!stat) return null
  // A leader that exited while other threads run is a zombie only in name: the process lives on (htop shows it so).
  const zombie = (stat.state === 'Z' || stat.state === 'X') && stat.numThreads <= 1
  const ms = 1000 / USER_HZ
  return {
    name: stat.name,
    ppid: stat.ppid,
    pgrp: stat.pgrp,
    startTime: stat.startTime,
    threads: stat.numThreads,
    zombie,
    cpuMs: (stat.utime + stat.stime) * ms,
    childCpuMs: (stat.cutime + stat.cstime) * ms,
  }
}

/** A single-threaded process watched for not having run (see unchanged). */
interface IdleWatch {
  file: ProcFile
  /** /proc/PID/statm, opened on the first periodic look at an idle process's memory. */
  statm: ProcFile | null
  startTime: number
  runNs: number
  waitNs: number
  entry: TreeProcess | null
  /** Resident pages at its last statm look (-1: none yet). */
  resident: number
}

/** Thread names are re-read for the first few scans of a thread: programs often name a thread right after starting it. */
const NAME_READS = 4
/**
 * An idle single-threaded process's memory is still looked at every this many scans (spread by PID): memory can be
 * reclaimed or swapped out from a process that does not run. The look reads statm (half the cost of stat); the stat
 * is read again only when the resident count moved.
 */
const IDLE_READ_EVERY = 8
/** New PIDs looked at one by one before a full scan is cheaper (a busy machine hands out dozens per tick). */
const NEW_PIDS_LOOKED_AT = 64
const TGID = Buffer.from('Tgid:')
const PPID = Buffer.from('PPid:')

/**
 * Linux scanner. Cheap per tick: one readdir of /proc, a stat read only for PIDs not seen before (their parent never
 * changes, so it is cached), one readdir of /proc/PID/task per followed process, and a comm read only for new threads.
 * (/proc/PID/task/TID/children would avoid the /proc listing, but many kernels are built without it.)
 * Cheaper still when nothing was created in the tree: every new process and thread takes a PID, and /proc/loadavg names
 * the last one given out. When no PID given out since the last scan belongs to the tree (looked up one by one in
 * /proc/PID/status, a thread's id included, while there are few) and each process keeps its thread count, the tree is
 * what it was. The tree's stat files stay open and are re-read with one pread.
 */
export class ProcTreeScanner implements TreeScanner {
  readonly name = 'procfs'
  readonly threadsVisible = true
  private readonly known = new Map<number, ProcEntry>()
  private readonly names = new Map<string, { name: string; reads: number }>()
  private readonly cmdlines = new Map<string, string>()
  private readonly buf = Buffer.alloc(4096)
  private last: { root: number; lastPid: number; scan: TreeScan; threads: Map<number, number> } | null = null
  private readonly shortLived = new ShortLivedWatch()
  /** The PIDs of the last scan, in its order, and as a set (never changed in place: a new one replaces it). */
  private treePids: number[] = []
  private tree: ReadonlySet<number> = new Set()
  /** Each process's children time at its last reading (see noteChildTime), and whether one grew in this scan. */
  private readonly childTimes = new Map<number, { startTime: number; ms: number }>()
  private reaped = false
  /** The followed processes' stat files, open, by PID. */
  private readonly stats = new Map<number, ProcFile>()
  /** Threads whose name is still read at each scan (see NAME_READS). */
  private readonly namesPending = new Set<string>()

  /** Single-threaded processes' run counters (schedstat) at the last scan, and their entry read after them. */
  private readonly runs = new Map<number, IdleWatch>()
  private readonly counters = { runNs: 0, waitNs: 0 }
  private scans = 0

  /** `recent`: where the stat readings of a scan are left for the collection that follows it. */
  constructor(private readonly recent: RecentStats | null = null) {}

  async scan(root: number, members: ReadonlyMap<number, number>): Promise<TreeScan> {
    return this.scanNow(root, members)
  }

  scanNow(root: number, members: ReadonlyMap<number, number>): TreeScan {
    const lastPid = this.lastPid()
    const scan = this.scanTree(root, members, lastPid)
    const changed = this.setTree(scan.processes)
    scan.shortLived = this.shortLived.take(this.tree)
    this.shortLived.follow(this.tree, lastPid, changed || scan.shortLived.length > 0 || this.reaped)
    this.reaped = false
    return scan
  }

  /**
   * Notes a process's children time: when it grew, the process reaped a child since its last reading, one the polls
   * between scans may have missed (they slow down while a tree stays the same), so they speed up again.
   */
  private noteChildTime(pid: number, e: ProcEntry): void {
    const last = this.childTimes.get(pid)
    if (last !== undefined && last.startTime === e.startTime) {
      if (e.childCpuMs > last.ms) this.reaped = true
      last.ms = e.childCpuMs
    } else this.childTimes.set(pid, { startTime: e.startTime, ms: e.childCpuMs })
  }

  /** Keeps the tree's PIDs (a new set only when they changed: a settled tree's ticks build none); true if they did. */
  private setTree(processes: readonly TreeProcess[]): boolean {
    const pids = this.treePids
    let same = processes.length === pids.length
    for (let i = 0; same && i < processes.length; i++) same = processes[i].pid === pids[i]
    if (same) return false
    this.treePids = processes.map((p) => p.pid)
    this.tree = new Set(this.treePids)
    return true
  }

  private scanTree(root: number, members: ReadonlyMap<number, number>, lastPid: number | null): TreeScan {
    const prev = this.last
    if (prev && lastPid !== null && prev.root === root && this.noneNewInTree(prev.lastPid, lastPid)) {
      const same = this.unchanged(prev.scan, prev.threads, root, members)
      if (same) return same
    }
    const scan = this.fullScan(root, members)
    const threads = new Map<number, number>()
    for (const t of scan.threads) threads.set(t.pid, (threads.get(t.pid) ?? 0) + 1)
    this.last = lastPid === null ? null : { root, lastPid, scan, threads }
    return scan
  }

  /** The last PID the kernel gave out (the last field of /proc/loadavg), or null where unreadable. */
  private lastPid(): number | null {
    return lastPidGiven(this.buf)
  }

  /** Whether no PID given out after `from` up to `to` is a process or a thread of the tree (false when unsure). */
  private noneNewInTree(from: number, to: number): boolean {
    if (to === from) return true
    if (to < from || to - from > NEW_PIDS_LOOKED_AT) return false
    // The last scan's processes (the previous one's, which this one repeats when it stands).
    const tree = this.tree
    for (let id = from + 1; id <= to; id++) {
      const file = openProcFile(`/proc/${id}/status`)
      if (!file) continue
      const n = file.read(this.buf)
      file.close()
      if (n <= 0) continue
      const tgid = statusNumber(this.buf, n, TGID)
      if (tgid === null || tree.has(tgid)) return false
      const ppid = statusNumber(this.buf, n, PPID)
      if (tgid === id && (ppid === null || tree.has(ppid))) return false
    }
    return true
  }

  /** The previous scan again if no process of it ended or lost a thread (no PID was given out since), else null. */
  private unchanged(
    prev: TreeScan,
    threads: ReadonlyMap<number, number>,
    root: number,
    members: ReadonlyMap<number, number>,
  ): TreeScan | null {
    let others = 0
    const list = prev.processes
    for (let i = 0; i < list.length; i++) {
      const p = list[i]
      if (p.pid === root) continue
      if (members.get(p.pid) !== p.startTime) return null
      others++
    }
    if (others !== members.size) return null
    const processes: TreeProcess[] = []
    const scan = ++this.scans
    const at = performance.now()
    for (let i = 0; i < list.length; i++) {
      const p = list[i]
      // A single-threaded process that has not run since before its last stat reading cannot have ended, started a
      // thread, renamed itself, faulted a page or reaped a child: its last entry stands (its memory looked at every
      // IDLE_READ_EVERY scans all the same). Its counters are read before its stat, so a run between the two shows at
      // the next scan.
      const run = threads.get(p.pid) === 1 ? this.runOf(p.pid, p.startTime) : null
      if (run) {
        const n = run.file.read(this.buf, 64)
        const now = n > 0 ? parseSchedstat(this.buf, n, this.counters) : null
        const still = now !== null && now.runNs === run.runNs && now.waitNs === run.waitNs
        run.runNs = now?.runNs ?? -1
        run.waitNs = now?.waitNs ?? -1
        if (now) this.recent?.putRun(p.pid, p.startTime, now.runNs, now.waitNs, at)
        if (still && run.entry && ((scan + p.pid) % IDLE_READ_EVERY !== 0 || this.sameResident(p.pid, run))) {
          processes.push(run.entry)
          continue
        }
      }
      const now = entryOf(this.treeStat(p.pid))
      if (!now || now.zombie || now.startTime !== p.startTime || now.threads !== (threads.get(p.pid) ?? 0)) return null
      this.noteChildTime(p.pid, now)
      const entry = { ...p, pgrp: now.pgrp, name: now.name, cpuMs: now.cpuMs, childCpuMs: now.childCpuMs }
      if (run) run.entry = entry
      processes.push(entry)
    }
    // A young thread may name itself after it was found (a pool's initializer): keep reading its name a few times.
    // Once every name is settled, the thread list is the previous one, as is (its readers see nothing changed).
    const names = this.namesPending.size === 0
    return {
      processes,
      threads: names ? prev.threads : prev.threads.map((t) => ({ ...t, name: this.threadName(t.pid, t.tid) })),
      shortLived: [],
    }
  }

  private fullScan(root: number, members: ReadonlyMap<number, number>): TreeScan {
    this.refreshPids()
    const children = new Map<number, number[]>()
    for (const [pid, e] of this.known) {
      const list = children.get(e.ppid)
      if (list) list.push(pid)
      else children.set(e.ppid, [pid])
    }
    // Every candidate's stat is read afresh: the cache may hold a PID that ended and was given to another process
    // since the last tick (PIDs wrap quickly on a busy machine), and a zombie has ended and leaves the tree.
    const fresh = new Map<number, ProcEntry>()
    const take = (pid: number, check: (e: ProcEntry) => boolean): void => {
      if (fresh.has(pid)) return
      const now = entryOf(this.treeStat(pid))
      if (!now) return
      this.noteChildTime(pid, now)
      if (now.startTime !== this.known.get(pid)?.startTime) this.known.set(pid, now)
      if (!now.zombie && check(now)) fresh.set(pid, now)
    }
    // A root that has exited (its children may live on) is left out.
    take(root, () => true)
    // Members found before stay even when reparented (their parent died), as long as the PID is still theirs.
    for (const [pid, start] of members) take(pid, (e) => e.startTime === start)
    const found = [...fresh.keys()]
    for (let i = 0; i < found.length; i++) {
      for (const child of children.get(found[i]) ?? []) {
        const before = fresh.size
        take(child, (e) => e.ppid === found[i])
        if (fresh.size > before) found.push(child)
      }
    }
    const processes: TreeProcess[] = []
    const threads: TreeThread[] = []
    for (const [pid, e] of fresh) {
      const cmdline = this.cmdline(pid, e.startTime)
      processes.push({
        pid,
        ppid: e.ppid,
        pgrp: e.pgrp,
        startTime: e.startTime,
        cmdline,
        name: e.name,
        cpuMs: e.cpuMs,
        childCpuMs: e.childCpuMs,
      })
      // A single-threaded process is its own only thread: no listing needed.
      const tids = e.threads === 1 ? [pid] : this.tids(pid)
      for (const tid of tids) threads.push({ pid, tid, name: this.threadName(pid, tid) })
    }
    this.forget(processes, threads)
    return { processes, threads, shortLived: [] }
  }

  async verify(pid: number, startTime: number): Promise<{ pgrp: number } | null> {
    const now = entryOf(this.readStat(`/proc/${pid}/stat`))
    // A zombie has ended; it only waits for its (new) parent to reap it, so there is nothing left to signal.
    return now && now.startTime === startTime && !now.zombie ? { pgrp: now.pgrp } : null
  }

  close(): void {
    this.shortLived.stop()
    this.known.clear()
    this.names.clear()
    this.namesPending.clear()
    this.cmdlines.clear()
    for (const file of this.stats.values()) file.close()
    this.stats.clear()
    for (const r of this.runs.values()) {
      r.file.close()
      r.statm?.close()
    }
    this.runs.clear()
  }

  private refreshPids(): void {
    let entries: string[]
    try {
      entries = readdirSync('/proc')
    } catch {
      return
    }
    const alive = new Set<number>()
    for (const name of entries) {
      const c = name.charCodeAt(0)
      if (c < 48 || c > 57) continue
      const pid = Number(name)
      alive.add(pid)
      if (this.known.has(pid)) continue
      const entry = entryOf(this.readStat(`/proc/${pid}/stat`))
      if (entry) this.known.set(pid, entry)
    }
    for (const pid of this.known.keys()) if (!alive.has(pid)) this.known.delete(pid)
  }

  private tids(pid: number): number[] {
    try {
      return readdirSync(`/proc/${pid}/task`).map(Number)
    } catch {
      return []
    }
  }

  /** The thread's name now (a program may have renamed it since the last scan). */
  readThreadName(pid: number, tid: number): string | null {
    const name = this.readText(`/proc/${pid}/task/${tid}/comm`)?.trimEnd() ?? null
    if (name !== null) this.names.set(`${pid}/${tid}`, { name, reads: NAME_READS })
    return name
  }

  private threadName(pid: number, tid: number): string {
    const key = `${pid}/${tid}`
    const cached = this.names.get(key)
    if (cached && cached.reads >= NAME_READS) return cached.name
    const name = this.readText(`/proc/${pid}/task/${tid}/comm`)?.trimEnd() ?? cached?.name ?? `thread ${tid}`
    const reads = (cached?.reads ?? 0) + 1
    this.names.set(key, { name, reads })
    if (reads >= NAME_READS) this.namesPending.delete(key)
    else this.namesPending.add(key)
    return name
  }

  private cmdline(pid: number, startTime: number): string {
    const key = `${pid}@${startTime}`
    let line = this.cmdlines.get(key)
    if (line === undefined) {
      line = (this.readText(`/proc/${pid}/cmdline`) ?? '').replace(/\0+$/, '').replaceAll('\0', ' ')
      this.cmdlines.set(key, line)
    }
    return line
  }

  private forget(processes: readonly TreeProcess[], threads: readonly TreeThread[]): void {
    if (this.names.size > threads.length) {
      const keep = new Set(threads.map((t) => `${t.pid}/${t.tid}`))
      for (const key of this.names.keys())
        if (!keep.has(key)) {
          this.names.delete(key)
          this.namesPending.delete(key)
        }
    }
    if (this.stats.size > processes.length) {
      const keep = new Set(processes.map((p) => p.pid))
      for (const [pid, file] of this.stats)
        if (!keep.has(pid)) {
          file.close()
          this.stats.delete(pid)
        }
    }
    if (this.runs.size > 0) {
      const keep = new Set(processes.map((p) => p.pid))
      this.runs.forEach((r, pid) => {
        if (!keep.has(pid)) {
          r.file.close()
          r.statm?.close()
          this.runs.delete(pid)
        }
      })
    }
    if (this.childTimes.size > processes.length) {
      const keep = new Set(processes.map((p) => p.pid))
      this.childTimes.forEach((_, pid) => {
        if (!keep.has(pid)) this.childTimes.delete(pid)
      })
    }
    if (this.cmdlines.size > processes.length) {
      const keep = new Set(processes.map((p) => `${p.pid}@${p.startTime}`))
      for (const key of this.cmdlines.keys()) if (!keep.has(key)) this.cmdlines.delete(key)
    }
  }

  /**
   * Whether an idle process's resident pages (statm) are where its last look left them. The first look has nothing to
   * compare with: the stat is read then, as on any change.
   */
  private sameResident(pid: number, run: IdleWatch): boolean {
    run.statm ??= openProcFile(`/proc/${pid}/statm`)
    const n = run.statm ? run.statm.read(this.buf, 128) : -1
    const pages = n > 0 ? parseStatmResident(this.buf, n) : -1
    const same = pages >= 0 && pages === run.resident
    run.resident = pages
    return same
  }

  /** A single-threaded process's schedstat file, its counters at the last look and the entry read after them. */
  private runOf(pid: number, startTime: number): IdleWatch | null {
    let r = this.runs.get(pid)
    if (r && r.startTime !== startTime) {
      r.file.close()
      r.statm?.close()
      this.runs.delete(pid)
      r = undefined
    }
    if (!r) {
      const file = openProcFile(`/proc/${pid}/schedstat`)
      if (!file) return null
      r = { file, statm: null, startTime, runNs: -1, waitNs: -1, entry: null, resident: -1 }
      this.runs.set(pid, r)
    }
    return r
  }

  /**
   * A process's stat, through a file kept open while the process is in the tree. An open file stays bound to the task
   * it was opened on: once that one is gone (its PID possibly given to another), the read fails and the path is opened
   * afresh.
   */
  private treeStat(pid: number): Stat | null {
    let file = this.stats.get(pid)
    let n = file ? file.read(this.buf) : -1
    if (n <= 0) {
      file?.close()
      file = openProcFile(`/proc/${pid}/stat`) ?? undefined
      n = file ? file.read(this.buf) : -1
      if (!file || n <= 0) {
        file?.close()
        this.stats.delete(pid)
        return null
      }
      this.stats.set(pid, file)
    }
    const stat = parseStat(this.buf, n)
    if (stat) this.recent?.put(pid, stat)
    return stat
  }

  /** A stat file parsed straight from its bytes (a tree scan reads one per process, every tick). */
  private readStat(path: string): Stat | null {
    const file = openProcFile(path)
    if (!file) return null
    const n = file.read(this.buf)
    file.close()
    return n > 0 ? parseStat(this.buf, n) : null
  }

  private readText(path: string): string | null {
    return readProcText(path, this.buf)
  }
}
