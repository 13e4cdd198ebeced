// Every process on the machine, as htop lists them (PID, user, name, command line, CPU %, memory), for the attach picker.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import type { MachineProcess, ProcessListing } from '../../../../shared/model'
import { pageSize, parseStatText, USER_HZ } from './procfs'

export interface ProcessListOptions {
  /** Where procfs is mounted (tests point it at a folder laid out like /proc). */
  procRoot?: string
  /** /etc/passwd, for user names. */
  passwdFile?: string
  /** A first listing waits this long for a second reading, so CPU % has a delta (as top does on its first screen). */
  warmupMs?: number
}

/** What the lab knows of one process from its stat line; null where the process is gone or unreadable. */
export interface ProcessIdentity {
  pid: number
  ppid: number
  name: string
  startTime: number
  zombie: boolean
}

interface Reading {
  startTime: number
  cpuTicks: number
  at: number
}

const UNREADABLE =
  'The lab may not read this process (it belongs to another user and /proc is mounted with hidepid, or access was denied): only its PID and owner are known.'

/** Reads one process's identity (name, parent, start time) from procfs; null when there is no such process. */
export function readProcessIdentity(pid: number, procRoot = '/proc'): ProcessIdentity | null {
  try {
    const e = parseStatText(readFileSync(`${procRoot}/${pid}/stat`, 'latin1'))
    return e
      ? { pid, ppid: e.ppid, name: e.name, startTime: e.startTime, zombie: e.state === 'Z' || e.state === 'X' }
      : null
  } catch {
    return null
  }
}

/** The command line of a process, arguments joined by spaces; '' for a kernel thread; null when unreadable. */
export function readCommandLine(pid: number, procRoot = '/proc'): string | null {
  try {
    return readFileSync(`${procRoot}/${pid}/cmdline`, 'latin1').replace(/\0+$/, '').replaceAll('\0', ' ')
  } catch {
    return null
  }
}

/** Whether `pid` descends from `ancestor` (or is it), following parents through procfs. */
export function descendsFrom(pid: number, ancestor: number, procRoot = '/proc'): boolean {
  for (let cur = pid, hops = 0; cur > 1 && hops < 512; hops++) {
    if (cur === ancestor) return true
    const id = readProcessIdentity(cur, procRoot)
    if (!id) return false
    cur = id.ppid
  }
  return false
}

export class ProcessLister {
  private readonly procRoot: string
  private readonly passwdFile: string
  private readonly warmupMs: number
  private readonly pageBytes = pageSize()
  private users: Map<number, string> | null = null
  private last = new Map<number, Reading>()

  constructor(opts: ProcessListOptions = {}) {
    this.procRoot = opts.procRoot ?? '/proc'
    this.passwdFile = opts.passwdFile ?? '/etc/passwd'
    this.warmupMs = opts.warmupMs ?? 300
  }

  async list(): Promise<ProcessListing> {
    if (this.last.size === 0) {
      this.read()
      await new Promise((r) => setTimeout(r, this.warmupMs))
    }
    const processes = this.read()
    return { processes, note: this.hiddenNote() }
  }

  /** One pass over procfs: every process, with CPU % against the previous pass where there was one. */
  private read(): MachineProcess[] {
    let names: string[]
    try {
      names = readdirSync(this.procRoot)
    } catch {
      return []
    }
    const now = performance.now()
    const next = new Map<number, Reading>()
    const out: MachineProcess[] = []
    for (const entry of names) {
      const c = entry.charCodeAt(0)
      if (c < 48 || c > 57) continue
      const pid = Number(entry)
      const row = this.readOne(pid, now, next)
      if (row) out.push(row)
    }
    this.last = next
    return out
  }

  private readOne(pid: number, now: number, next: Map<number, Reading>): MachineProcess | null {
    const dir = `${this.procRoot}/${pid}`
    let uid: number
    try {
      uid = statSync(dir).uid
    } catch {
      return null // Gone since the listing.
    }
    const user = this.userName(uid)
    let text: string
    try {
      text = readFileSync(`${dir}/stat`, 'latin1')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH')
        return null
      return {
        pid,
        ppid: null,
        user,
        name: '',
        command: '',
        state: null,
        cpu: null,
        rss: null,
        threads: null,
        startTime: null,
        readable: false,
        reason: UNREADABLE,
      }
    }
    const id = parseStatText(text)
    if (!id) return null
    const cpuTicks = id.utime + id.stime
    next.set(pid, { startTime: id.startTime, cpuTicks, at: now })
    const prev = this.last.get(pid)
    const cpu =
      prev && prev.startTime === id.startTime && now > prev.at
        ? ((cpuTicks - prev.cpuTicks) / USER_HZ / ((now - prev.at) / 1000)) * 100
        : null
    const command = readCommandLine(pid, this.procRoot)
    const reason = command === null ? 'Its command line cannot be read (access denied).' : null
    return {
      pid,
      ppid: id.ppid,
      user,
      name: id.name,
      // Kernel threads have no command line; htop shows their name in brackets.
      command: command === null ? '' : command || `[${id.name}]`,
      state: id.state,
      cpu: cpu === null ? null : Math.max(0, cpu),
      rss: id.rss * this.pageBytes,
      threads: id.numThreads,
      startTime: id.startTime,
      readable: true,
      reason,
    }
  }

  private userName(uid: number): string {
    if (!this.users) {
      this.users = new Map()
      try {
        for (const line of readFileSync(this.passwdFile, 'utf8').split('\n')) {
          const [name, , id] = line.split(':')
          if (name && id !== undefined && Number.isInteger(Number(id))) this.users.set(Number(id), name)
        }
      } catch {
        // No passwd file: users are shown by number.
      }
    }
    return this.users.get(uid) ?? String(uid)
  }

  /** A sentence when procfs hides other users' processes from the lab (mount option hidepid). */
  private hiddenNote(): string | null {
    try {
      const mount = readFileSync(`${this.procRoot}/mounts`, 'utf8')
        .split('\n')
        .find((l) => l.split(' ')[1] === this.procRoot && l.split(' ')[2] === 'proc')
      const hide = mount
        ?.split(' ')[3]
        ?.split(',')
        .find((o) => o.startsWith('hidepid='))
        ?.slice('hidepid='.length)
      if (!hide || hide === '0' || hide === 'off') return null
      return hide === '1' || hide === 'noaccess'
        ? "This system's /proc is mounted with hidepid=1: other users' processes are listed by PID and owner only."
        : "This system's /proc is mounted with hidepid: other users' processes are hidden from the lab and not listed."
    } catch {
      return null
    }
  }
}
