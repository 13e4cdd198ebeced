// Processes that start and end between two scans of a tree: found by polling the PIDs the kernel gives out meanwhile.
import { lastPidGiven, readProcText, parseStatText, USER_HZ } from './procfs'

/** A process seen only between scans. `ppid` is its parent then (a process of the tree, or another short-lived one). */
export interface ShortLived {
  pid: number
  ppid: number
  name: string
  startTime: number
  /** Its CPU at the last look (its final figure when it was seen as a zombie). */
  cpuMs: number
  ended: boolean
}

/**
 * Poll this often while the tree changes (a process came or went within CHANGING_MS), this often while it settles
 * (no change within SETTLING_MS), and this often once settled: every poll is a wake of the lab's thread, which costs
 * CPU of its own (about 0.1-0.2 ms on a virtual machine), and a tree that has not changed for a while rarely starts
 * to. Its first short-lived child then may go unseen; its CPU still shows in its parent's children time, and that
 * growing counts as a change (see ProcTreeScanner), so the polls are fast again for the next ones.
 */
const FAST_MS = 10
const SLOW_MS = 50
const SETTLED_MS = 250
const CHANGING_MS = 2000
const SETTLING_MS = 10_000
/** More new PIDs than this in one poll (a fork storm elsewhere): skip them rather than stall the lab. */
const MAX_PROBES = 2000

function readPidMax(buf: Buffer): number {
  const n = Number(readProcText('/proc/sys/kernel/pid_max', buf)?.trim())
  return Number.isInteger(n) && n > 0 ? n : 32768
}

/**
 * Every new process takes the next PID, and /proc/loadavg names the last one given out: each poll reads that one file
 * and, when it moved, the stat of each PID given out since. One whose parent is in the tree is a child of the tree
 * (threads take PIDs too, so a candidate's Tgid is checked). One that is gone by the next scan is short-lived.
 */
export class ShortLivedWatch {
  private readonly buf = Buffer.alloc(4096)
  private readonly pidMax = readPidMax(this.buf)
  private tree: ReadonlySet<number> = new Set()
  private readonly seen = new Map<number, ShortLived>()
  private lastPid: number | null = null
  private changedAt = -Infinity
  private timer: NodeJS.Timeout | null = null

  /**
   * After each scan: the tree's processes now (a set the caller replaces rather than changes), the last PID then, and
   * whether the tree changed since the scan before.
   */
  follow(tree: ReadonlySet<number>, lastPid: number | null, changed: boolean): void {
    this.tree = tree
    if (this.lastPid === null) this.lastPid = lastPid
    if (changed) this.changedAt = performance.now()
    if (tree.size === 0) return this.stop()
    // The scan just polled (see take): a settled watch counts its next poll from here, so at a tick interval of up to
    // SETTLED_MS no poll falls between two ticks, and at 500 ms one does (not two), each a wake of the lab saved.
    if (this.timer && this.delay() === SETTLED_MS) this.stop()
    this.arm()
  }

  /** What was seen between scans and is not in `tree` (the scan's processes): those are short-lived. Forgets them. */
  take(tree: ReadonlySet<number>): ShortLived[] {
    this.poll()
    const out: ShortLived[] = []
    for (const [pid, p] of this.seen) {
      if (tree.has(pid)) this.seen.delete(pid)
      else if (p.ended) {
        out.push(p)
        this.seen.delete(pid)
      }
    }
    return out
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  /** How long until the next poll: shorter while the tree changes or a short-lived process is still being followed. */
  private delay(): number {
    const still = performance.now() - this.changedAt
    return still < CHANGING_MS || this.seen.size > 0 ? FAST_MS : still < SETTLING_MS ? SLOW_MS : SETTLED_MS
  }

  private arm(): void {
    if (this.timer) return
    const delay = this.delay()
    this.timer = setTimeout(() => {
      this.timer = null
      this.poll()
      if (this.tree.size > 0) this.arm()
    }, delay)
    this.timer.unref()
  }

  private poll(): void {
    for (const p of this.seen.values()) if (!p.ended) this.look(p)
    const last = lastPidGiven(this.buf) ?? NaN
    if (!Number.isFinite(last) || this.lastPid === null || last === this.lastPid) {
      if (Number.isFinite(last)) this.lastPid = last
      return
    }
    const count = last > this.lastPid ? last - this.lastPid : this.pidMax - this.lastPid + last
    if (count <= MAX_PROBES) {
      for (let i = 1; i <= count; i++) {
        const pid = ((this.lastPid + i - 1) % this.pidMax) + 1
        if (!this.tree.has(pid) && !this.seen.has(pid)) this.probe(pid)
      }
      this.changedAt = this.seen.size > 0 ? performance.now() : this.changedAt
    }
    this.lastPid = last
  }

  private probe(pid: number): void {
    const text = readProcText(`/proc/${pid}/stat`, this.buf)
    const stat = text === null ? null : parseStatText(text)
    if (!stat || (!this.tree.has(stat.ppid) && !this.seen.has(stat.ppid))) return
    // A thread's PID is its own TID: a process is its own thread group leader.
    const status = readProcText(`/proc/${pid}/status`, this.buf)
    if (status === null || Number(/\nTgid:\s+(\d+)/.exec(status)?.[1]) !== pid) return
    const zombie = stat.state === 'Z' || stat.state === 'X'
    this.seen.set(pid, {
      pid,
      ppid: stat.ppid,
      name: stat.name,
      startTime: stat.startTime,
      cpuMs: ((stat.utime + stat.stime) * 1000) / USER_HZ,
      ended: zombie,
    })
  }

  /** A fresh look at one: its name after exec, its CPU so far; gone or a zombie means it ended. */
  private look(p: ShortLived): void {
    const text = readProcText(`/proc/${p.pid}/stat`, this.buf)
    const stat = text === null ? null : parseStatText(text)
    if (!stat || stat.startTime !== p.startTime) {
      p.ended = true
      return
    }
    p.name = stat.name
    p.cpuMs = ((stat.utime + stat.stime) * 1000) / USER_HZ
    if (stat.state === 'Z' || stat.state === 'X') p.ended = true
  }
}
