// Linux collector: every thread's schedstat (+ stat, + syscall when blocked), each process's stat and status, files kept open.
import { readdirSync } from 'node:fs'
import type { BlockReason, TimeSplit } from '../../../../shared/model'
import type { Collector, RawSample, SampleTarget } from '../collector'
import {
  openProcFile,
  pageSize,
  parseSchedstat,
  parseStat,
  readProcText,
  schedstatWorks,
  statusKb,
  USER_HZ,
  VM_HWM,
  VM_RSS,
  type ProcFile,
  type Stat,
} from './procfs'
import { classifySyscall } from './syscalls'

/** One thread's open files and what was read from them. */
interface ThreadTask {
  /** /proc/PID/task/TID/ */
  base: string
  stat: ProcFile
  /** /proc/PID/task/TID/schedstat, where the kernel keeps scheduler statistics. */
  sched: ProcFile | null
  /** /proc/PID/task/TID/syscall, opened the first time the thread is seen blocked; false when it cannot be read. */
  syscall: ProcFile | null | false
  runNs: number
  waitNs: number
  last: Stat | null
  /** Samples of what the thread was blocked in since the last tick. */
  blockedIn: Record<BlockReason, number>
  /** Whether it ran (or waited for a CPU) in the last interval: only those are probed between ticks. */
  active: boolean
  /** Ticks in a row it was found not to have run: a quiet thread of a followed process is read only now and then. */
  quiet: number
  /** The readings the last split was computed from (monotonic ns). */
  splitFrom: { runNs: number; waitNs: number; at: number } | null
  split: TimeSplit | null
  /** Tick it was last read in (a thread read for its process and for its own unit is read once), and last needed in. */
  readIn: number
  seen: number
}

/** One process's files and the CPU its ended threads took with them. */
interface ProcessTask {
  pid: number
  stat: ProcFile
  status: ProcFile | null
  /** Its threads at the last reading, with their run time (ns) then. */
  threads: Map<number, number>
  /** Run time of threads that ended, ns: theirs at the last reading, plus what the kernel's totals show beyond. */
  retiredNs: number
  /** Page faults and memory at the last status read: status is read again only once faults moved. */
  faults: number
  statRss: number
  memory: { rss: number | null; peakRss: number | null }
  seen: number
  /** The run time reported so far (ns) and when (hrtime ns): at most what its threads could have run in the wall time. */
  reportedNs: number | null
  reportedAt: number
  /** stat's CPU total (ns, in 10 ms steps) and state letter at the last reading: they tell when a quiet thread woke. */
  statNs: number
  state: string
}

const NO_BLOCKS = (): Record<BlockReason, number> => ({ lock: 0, io: 0, sleep: 0, other: 0 })

/**
 * A thread of a followed process that has not run for QUIET_AFTER ticks is read every QUIET_EVERY ticks only (spread
 * over the ticks by its id), unless its process's own CPU total or state shows that some thread not read just ran:
 * then all are read at once. Programs with hundreds of idle threads cost a fraction of a full reading per tick, and a
 * quiet thread's few microseconds of waking show up at its next reading instead of at once.
 */
const QUIET_AFTER = 2
const QUIET_EVERY = 8
/** CPU the process's total may show beyond what its read threads ran before the others are read too (stat's step is 10 ms). */
const WAKE_NS = 15e6

/** Letters in the order a process borrows one from its threads when its main thread has exited. */
const BUSIEST = ['R', 'D', 'S', 'T', 't', 'I']

export class ProcFsCollector implements Collector {
  readonly name = 'procfs'
  readonly timeSplit: boolean
  private readonly threads = new Map<string, ThreadTask>()
  private readonly processes = new Map<string, ProcessTask>()
  private readonly buf = Buffer.alloc(4096)
  /**
   * Threads are read through schedstat (ns, about a third of the cost of stat); their stat (for the state letter) and
   * syscall only when they ran since the last tick. A thread that did not run cannot have changed state or left its
   * system call by its own doing. Programs with hundreds of mostly idle threads (pools) are the case this is for.
   */
  private readonly useSchedstat = schedstatWorks()
  private readonly pageBytes = pageSize()
  private tick = 0

  constructor() {
    this.timeSplit = this.useSchedstat
  }

  async collect(targets: readonly SampleTarget[]): Promise<Map<string, RawSample>> {
    return this.collectSync(targets)
  }

  /** Synchronous on purpose: one pread per file costs microseconds; the thread pool would cost more. */
  collectSync(targets: readonly SampleTarget[]): Map<string, RawSample> {
    const out = new Map<string, RawSample>()
    const tick = ++this.tick
    const now = Number(process.hrtime.bigint())
    // Processes first: a process decides which of its threads need reading this tick; its thread units then share it.
    for (const wanted of [true, false]) {
      for (const target of targets) {
        if ((target.tid === null) !== wanted) continue
        const sample =
          target.tid === null
            ? this.readProcess(target, tick, now)
            : this.threadSample(target.pid, target.tid, tick, now)
        if (sample) {
          sample.at = performance.now() / 1000
          out.set(target.id, sample)
        }
      }
    }
    for (const [key, t] of this.threads) if (t.seen !== tick) this.forgetThread(key, t)
    for (const [id, p] of this.processes) if (p.seen !== tick) this.forgetProcess(id, p)
    return out
  }

  /**
   * Between ticks: what each thread that was active in the last interval is blocked in right now, so a tick's blocked
   * time can be split by what it was spent in rather than by one snapshot.
   */
  probe(): void {
    for (const t of this.threads.values()) {
      if (t.active) this.sampleSyscall(t)
    }
  }

  private threadSample(pid: number, tid: number, tick: number, now: number): RawSample | null {
    const t = this.readThread(pid, tid, tick, now)
    if (!t?.last) return null
    const zombie = t.last.state === 'Z' || t.last.state === 'X'
    return {
      cpuSeconds: t.sched ? t.runNs / 1e9 : (t.last.utime + t.last.stime) / USER_HZ,
      rss: null,
      state: t.last.state,
      ...(this.timeSplit ? { time: zombie ? null : t.split } : {}),
    }
  }

  /** `rest`: a quiet thread whose counters are taken as unchanged this tick (see QUIET_EVERY). */
  private readThread(pid: number, tid: number, tick: number, now: number, rest = false): ThreadTask | null {
    const key = `${pid}/${tid}`
    let t = this.threads.get(key)
    if (t && t.readIn === tick) return t
    if (t === undefined) {
      const base = `/proc/${pid}/task/${tid}/`
      const stat = openProcFile(`${base}stat`)
      if (!stat) return null
      const sched = this.useSchedstat ? openProcFile(`${base}schedstat`) : null
      t = {
        base,
        stat,
        sched,
        syscall: null,
        runNs: -1,
        waitNs: -1,
        last: null,
        blockedIn: NO_BLOCKS(),
        active: true,
        quiet: 0,
        splitFrom: null,
        split: null,
        readIn: 0,
        seen: tick,
      }
      this.threads.set(key, t)
    }
    t.seen = tick
    t.readIn = tick
    let ran = true
    if (rest && t.sched && t.last) ran = false
    else if (t.sched) {
      const n = t.sched.read(this.buf, 64)
      if (n < 0) return this.threadGone(key, t)
      const s = parseSchedstat(this.buf, n)
      ran = s.runNs !== t.runNs || s.waitNs !== t.waitNs || t.last === null
      t.runNs = s.runNs
      t.waitNs = s.waitNs
    }
    t.active = ran
    t.quiet = ran ? 0 : t.quiet + 1
    if (ran) {
      const n = t.stat.read(this.buf)
      if (n < 0) return this.threadGone(key, t)
      t.last = parseStat(this.buf, n)
      if (t.last && t.last.state !== 'R' && t.last.state !== 'Z' && t.sched) this.sampleSyscall(t)
    } else {
      // Asleep the whole interval, in the same call as at its last reading.
      const reason = (Object.keys(t.blockedIn) as BlockReason[]).find((r) => t!.blockedIn[r] > 0)
      if (!reason && t.last && t.last.state !== 'R' && t.last.state !== 'Z') this.sampleSyscall(t)
    }
    if (t.sched) this.split(t, now)
    return t
  }

  private sampleSyscall(t: ThreadTask): void {
    if (t.syscall === false) return
    t.syscall ??= openProcFile(`${t.base}syscall`) ?? false
    if (!t.syscall) return
    const reason = classifySyscall(this.buf, t.syscall.read(this.buf, 256))
    if (reason) t.blockedIn[reason]++
  }

  /** on a CPU + waiting for one + blocked = 100 % of the time since the last reading. */
  private split(t: ThreadTask, now: number): void {
    const from = t.splitFrom
    t.splitFrom = { runNs: t.runNs, waitNs: t.waitNs, at: now }
    const blockedIn = t.blockedIn
    // A thread that did not run keeps what it was blocked in; one that ran starts afresh.
    t.blockedIn = t.active ? NO_BLOCKS() : { ...blockedIn }
    if (!from || now <= from.at) {
      t.split = null
      return
    }
    const span = now - from.at
    let onCpu = (Math.max(0, t.runNs - from.runNs) / span) * 100
    let runqueue = (Math.max(0, t.waitNs - from.waitNs) / span) * 100
    // Counters move at scheduler ticks while the clock does not: never more than the interval.
    const busy = onCpu + runqueue
    if (busy > 100) {
      onCpu = (onCpu / busy) * 100
      runqueue = (runqueue / busy) * 100
    }
    let blocked = Math.max(0, 100 - onCpu - runqueue)
    const samples = blockedIn.lock + blockedIn.io + blockedIn.sleep + blockedIn.other
    // The kernel adds a wait on a run queue only once the thread gets a CPU again. A thread runnable now that no look
    // found in a system call since the last tick was waiting for a CPU, not blocked.
    if (samples === 0 && t.last?.state === 'R') {
      runqueue += blocked
      blocked = 0
    }
    const blockedOn = NO_BLOCKS()
    if (samples === 0) blockedOn.other = blocked
    else for (const r of Object.keys(blockedOn) as BlockReason[]) blockedOn[r] = (blocked * blockedIn[r]) / samples
    t.split = { onCpu, runqueue, blocked, blockedOn }
  }

  /**
   * A process: CPU as the sum of its threads' nanosecond run times (plus what ended threads took with them), the split
   * summed over its threads, RSS and peak from status. A process whose main thread has exited (a zombie leader) lives
   * on while any thread runs.
   */
  private readProcess(target: SampleTarget, tick: number, now: number): RawSample | null {
    let p = this.processes.get(target.id)
    if (p && p.pid !== target.pid) {
      this.forgetProcess(target.id, p)
      p = undefined
    }
    if (p === undefined) {
      const stat = openProcFile(`/proc/${target.pid}/stat`)
      if (!stat) return null
      p = {
        pid: target.pid,
        stat,
        status: openProcFile(`/proc/${target.pid}/status`),
        threads: new Map(),
        retiredNs: 0,
        faults: -1,
        statRss: -1,
        memory: { rss: null, peakRss: null },
        seen: tick,
        reportedNs: null,
        reportedAt: 0,
        statNs: -1,
        state: '',
      }
      this.processes.set(target.id, p)
    }
    p.seen = tick
    const n = p.stat.read(this.buf)
    const stat = n < 0 ? null : parseStat(this.buf, n)
    if (!stat || ((stat.state === 'Z' || stat.state === 'X') && stat.numThreads <= 1)) {
      this.forgetProcess(target.id, p)
      return null
    }
    const statNs = ((stat.utime + stat.stime) * 1e9) / USER_HZ
    let os = stat.state
    let rss: number | null = null
    let peakRss: number | null = null
    if (!this.useSchedstat) {
      ;({ rss, peakRss } = this.memory(p))
      return { cpuSeconds: statNs / 1e9, rss: rss ?? stat.rss * this.pageBytes, peakRss, state: os }
    }
    const threads = this.readThreads(p, stat, statNs, tick, now)
    let runNs = 0
    let threadsThatRan = 0
    const live = new Map<number, number>()
    const time: TimeSplit = { onCpu: 0, runqueue: 0, blocked: 0, blockedOn: NO_BLOCKS() }
    let split = false
    let best = BUSIEST.length
    for (const [tid, t] of threads) {
      live.set(tid, t.runNs)
      runNs += t.runNs
      if (t.active) threadsThatRan++
      const letter = t.last?.state ?? ''
      if (letter !== 'Z' && letter !== 'X') {
        const rank = BUSIEST.indexOf(letter)
        if (rank >= 0 && rank < best) best = rank
        if (t.split) {
          split = true
          time.onCpu += t.split.onCpu
          time.runqueue += t.split.runqueue
          time.blocked += t.split.blocked
          for (const r of Object.keys(time.blockedOn) as BlockReason[]) time.blockedOn[r] += t.split.blockedOn[r]
        }
      }
    }
    // A thread ended: its last reading stays in the process's total (the kernel keeps it in the process's times too).
    for (const [tid, ns] of p.threads) if (!live.has(tid)) p.retiredNs += ns
    p.threads = live
    // The kernel's own total (10 ms ticks, never above the truth) catches threads that came and went between ticks. A
    // running thread's schedstat lags by up to a scheduler tick, so only a gap beyond that is taken as missed time.
    const slack = 2e7 + 4e6 * threadsThatRan
    if (statNs - (runNs + p.retiredNs) > slack) p.retiredNs = statNs - runNs
    if ((os === 'Z' || os === 'X') && best < BUSIEST.length) os = BUSIEST[best]
    // status costs more than every other file of a process: read it again only when a page was touched since, or
    // when stat's own (slightly lagging) resident count moved (memory given back makes no fault).
    if (stat.faults !== p.faults || stat.rss !== p.statRss || p.memory.rss === null) {
      p.memory = this.memory(
        p,
        [...live.keys()].find((tid) => tid !== p!.pid),
      )
      p.faults = stat.faults
      p.statRss = stat.rss
    }
    ;({ rss, peakRss } = p.memory)
    // A running thread's schedstat can be a scheduler tick ahead of or behind its true run time at the moment of a read,
    // so one interval could show a thread running longer than the interval itself. What a tick reports is capped at what
    // its threads could physically have run (each at most the wall time since the last reading); the rest is carried
    // into the next ticks, so no tick of a single thread reads above one core and the long-run total is unchanged.
    const at = Number(process.hrtime.bigint())
    const total = runNs + p.retiredNs
    p.reportedNs =
      p.reportedNs === null ? total : Math.min(total, p.reportedNs + (at - p.reportedAt) * Math.max(1, live.size))
    p.reportedAt = at
    return {
      cpuSeconds: p.reportedNs / 1e9,
      rss,
      peakRss,
      state: os,
      time: split ? time : null,
    }
  }

  /**
   * The process's threads, read: those of its last reading while the kernel's count agrees (a listing of
   * /proc/PID/task only when threads came or went), the quiet ones only when due or when the process's CPU total or
   * state shows a thread not read has run.
   */
  private readThreads(p: ProcessTask, stat: Stat, statNs: number, tick: number, now: number): Map<number, ThreadTask> {
    const read = new Map<number, ThreadTask>()
    const resting: number[] = []
    let ranNs = 0
    const take = (tid: number, rest: boolean): void => {
      const before = this.threads.get(`${p.pid}/${tid}`)
      const from = before && before.readIn !== tick ? before.runNs : -1
      const t = this.readThread(p.pid, tid, tick, now, rest)
      if (!t || t.runNs < 0) return
      read.set(tid, t)
      if (from >= 0) ranNs += t.runNs - from
    }
    // A single-threaded process is its own only thread: no listing needed.
    const known = stat.numThreads === 1 && stat.state !== 'Z' ? [p.pid] : [...p.threads.keys()]
    // Threads came or went (the counts differ): everything is read for real, then listed.
    const settled = known.length === stat.numThreads
    for (const tid of known) {
      const t = this.threads.get(`${p.pid}/${tid}`)
      const rest = settled && t !== undefined && t.quiet >= QUIET_AFTER && (tick + tid) % QUIET_EVERY !== 0
      if (rest && t.readIn !== tick) resting.push(tid)
      else take(tid, false)
    }
    const woke = p.statNs >= 0 && (statNs - p.statNs - ranNs > WAKE_NS || stat.state !== p.state)
    p.statNs = statNs
    p.state = stat.state
    for (const tid of resting) take(tid, !woke)
    if (read.size !== stat.numThreads) for (const tid of this.tids(p.pid)) if (!read.has(tid)) take(tid, false)
    return read
  }

  /** VmRSS and VmHWM; a zombie leader has no memory of its own to show, so they come through a live thread. */
  private memory(p: ProcessTask, liveTid?: number): { rss: number | null; peakRss: number | null } {
    let n = p.status ? p.status.read(this.buf) : -1
    let rss = n > 0 ? statusKb(this.buf, n, VM_RSS) : null
    if (rss === null && liveTid !== undefined) {
      const text = readProcText(`/proc/${p.pid}/task/${liveTid}/status`, this.buf)
      n = text === null ? -1 : text.length
      rss = n > 0 ? statusKb(this.buf, n, VM_RSS) : null
    }
    const peakRss = n > 0 ? statusKb(this.buf, n, VM_HWM) : null
    return { rss, peakRss }
  }

  private tids(pid: number): number[] {
    try {
      return readdirSync(`/proc/${pid}/task`).map(Number)
    } catch {
      return []
    }
  }

  private threadGone(key: string, t: ThreadTask): null {
    this.forgetThread(key, t)
    return null
  }

  private forgetThread(key: string, t: ThreadTask): void {
    t.stat.close()
    t.sched?.close()
    if (t.syscall) t.syscall.close()
    this.threads.delete(key)
  }

  private forgetProcess(id: string, p: ProcessTask): void {
    p.stat.close()
    p.status?.close()
    this.processes.delete(id)
  }

  close(): void {
    for (const [key, t] of this.threads) this.forgetThread(key, t)
    for (const [id, p] of this.processes) this.forgetProcess(id, p)
  }
}
