// Who a process is and whose it is, from /proc (Linux): its start time (tells a reused PID from the original), its
// parent, and the owner tag it inherited in its environment from the lab that started its tree.
import { readdirSync, readFileSync } from 'node:fs'
import { lastPidGiven, parseStatText } from './procfs'

export interface ProcIdentity {
  pid: number
  ppid: number
  startTime: number
}

export const hasProcFs = process.platform === 'linux'

/** The process's start time (clock ticks since boot), or null when it is gone or a zombie. */
export function startTimeOf(pid: number): number | null {
  if (!hasProcFs) return null
  try {
    const e = parseStatText(readFileSync(`/proc/${pid}/stat`, 'latin1'))
    return e && e.state !== 'Z' && e.state !== 'X' ? e.startTime : null
  } catch {
    return null
  }
}

/** Every live (non-zombie) process. */
export function listProcesses(): ProcIdentity[] {
  if (!hasProcFs) return []
  const out: ProcIdentity[] = []
  for (const name of readdirSync('/proc')) {
    const pid = Number(name)
    if (!Number.isInteger(pid) || pid <= 0) continue
    try {
      const e = parseStatText(readFileSync(`/proc/${pid}/stat`, 'latin1'))
      if (e && e.state !== 'Z' && e.state !== 'X') out.push({ pid, ppid: e.ppid, startTime: e.startTime })
    } catch {
      // Gone in between.
    }
  }
  return out
}

/**
 * The value of `variable` in the environment the process was started with (inherited across fork, exec and setsid
 * unless a program clears it), or null. Only processes of the same user can be read, which are the only ones a lab starts.
 */
export function environValue(pid: number, variable: string): string | null {
  let raw: Buffer
  try {
    raw = readFileSync(`/proc/${pid}/environ`)
  } catch {
    return null
  }
  const key = Buffer.from(`${variable}=`)
  let at = 0
  while (at < raw.length) {
    const end = raw.indexOf(0, at)
    const stop = end < 0 ? raw.length : end
    if (stop - at >= key.length && raw.compare(key, 0, key.length, at, at + key.length) === 0)
      return raw.toString('utf8', at + key.length, stop)
    at = stop + 1
  }
  return null
}

/** Processes whose inherited `variable` equals `value` or starts with `value` + "." (a sub-tag). */
export function processesTagged(
  variable: string,
  value: string,
  among: readonly ProcIdentity[] = listProcesses(),
): ProcIdentity[] {
  return among.filter((p) => {
    if (p.pid === process.pid) return false
    const v = environValue(p.pid, variable)
    return v !== null && (v === value || v.startsWith(`${value}.`))
  })
}

/** Every descendant of `roots` in one listing (a process's children, theirs, and so on). */
export function descendantsOf(roots: Iterable<number>, among: readonly ProcIdentity[]): ProcIdentity[] {
  const children = new Map<number, ProcIdentity[]>()
  for (const p of among) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p])
  const out: ProcIdentity[] = []
  const seen = new Set<number>()
  const stack = [...roots]
  while (stack.length > 0) {
    for (const c of children.get(stack.pop()!) ?? []) {
      if (seen.has(c.pid)) continue
      seen.add(c.pid)
      out.push(c)
      stack.push(c.pid)
    }
  }
  return out
}

/**
 * Finds, tick after tick, the processes that carry an owner tag (`value` or a sub-tag of it): each PID's environment is
 * read once, when it is first seen, and the PIDs the caller follows already are skipped, so a tick costs one listing of
 * /proc. This is how a watched program's descendants
 * that left its tree (reparented, or double-forked with setsid) are still attributed to it.
 */
export class TaggedProcessFinder {
  private readonly seen = new Map<number, { startTime: number; tagged: boolean }>()
  private readonly buf = Buffer.alloc(256)
  /** The last PID the kernel had given out at the last listing, and what that listing found. */
  private listedUpTo: number | null = null
  private found: ProcIdentity[] = []

  constructor(
    private readonly variable: string,
    private readonly value: string,
  ) {}

  /**
   * `known`: PIDs the caller already follows (their identity checked): they are neither read nor returned. Asked for
   * only when there is something to check against (a tick with no new PID and nothing found before asks nothing).
   */
  find(knownPids: () => ReadonlySet<number> = () => new Set()): ProcIdentity[] {
    if (!hasProcFs) return []
    // No process was created anywhere since the last listing (no PID given out): no tagged one can have appeared, so
    // only those found then are looked at again. A tick of a watched program then costs no listing of /proc.
    const lastPid = lastPidGiven(this.buf)
    if (lastPid !== null && lastPid === this.listedUpTo) {
      if (this.found.length === 0) return []
      const known = knownPids()
      this.found = this.found.filter((p) => !known.has(p.pid) && startTimeOf(p.pid) === p.startTime)
      return [...this.found]
    }
    const out: ProcIdentity[] = []
    const known = knownPids()
    const present = new Set<number>()
    let names: string[]
    try {
      names = readdirSync('/proc')
    } catch {
      return out
    }
    for (const name of names) {
      const c = name.charCodeAt(0)
      if (c < 48 || c > 57) continue
      const pid = Number(name)
      if (pid === process.pid) continue
      present.add(pid)
      if (known.has(pid)) continue
      let entry = this.seen.get(pid)
      if (!entry) {
        const startTime = startTimeOf(pid)
        if (startTime === null) continue
        const v = environValue(pid, this.variable)
        entry = { startTime, tagged: v !== null && (v === this.value || v.startsWith(`${this.value}.`)) }
        this.seen.set(pid, entry)
      }
      // A tagged PID is checked again each time: it may have ended and its number gone to another process.
      if (entry.tagged && startTimeOf(pid) === entry.startTime) out.push({ pid, ppid: -1, startTime: entry.startTime })
    }
    for (const pid of this.seen.keys()) if (!present.has(pid)) this.seen.delete(pid)
    this.listedUpTo = lastPid
    this.found = out
    return [...out]
  }
}
