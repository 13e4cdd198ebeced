// Linux collector: every thread's schedstat (+ stat, + syscall when blocked), each process's stat and status, files kept open.
import { readdirSync } from 'node:fs'
import type { BlockReason, TimeSplit } from '../../../../shared/model'
import type { Collector, RawSample, SampleTarget } from '../collector'
import {
  openProcFile,
  type RecentStats,
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
  pid: number
  tid: number
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
  /**
   * The last split came from an interval the thread did not run in, and nothing it was seen blocked in has been added
   * since: another such interval gives the very same split, so the same object is handed on (no allocation per tick for
   * the hundreds of idle threads of a pool).
   */
  splitStill: boolean
  /** What it was blocked in changed since the last split. */
  blockedDirty: boolean
  /** The last sample handed out for this thread as a unit: handed out again while nothing in it changed. */
  raw: RawSample | null
  /** The process's thread list it was last put in (a tick number), to tell which threads ended. */
  listedIn: number
  /** Tick it was last read in (a thread read for its process and for its own unit is read once), and last needed in. */
  readIn: number
  seen: number
}

/** One process's files and the CPU its ended threads took with them. */
interface ProcessTask {
  pid: number
  stat: ProcFile
  status: ProcFile | null
  /** Its threads at the last reading (their runNs is what they had run then), and the list the next reading fills. */
  list: ThreadTask[]
  spare: ThreadTask[]
  /** Run time of threads that ended, ns: theirs at the last reading, plus what the kernel's totals show beyond. */
  retiredNs: number
  /** Page faults and memory at the last status read: status is read again only once faults moved. */
  faults: number
  statRss: number
  memory: { rss: number | null; peakRss: number | null }
  seen: number
  /** The run time reported so far (ns) and when (performance.now() in ns): at most what its threads could have run. */
  reportedNs: number | null
  reportedAt: number
  /** stat's CPU total (ns, in 10 ms steps) and state letter at the last reading: they tell when a quiet thread woke. */
  statNs: number
  state: string
  /** The last sample handed out: handed out again while nothing in it changed. */
  raw: RawSample | null
  /** From its first reading (-1 before): a shared reading is taken only for the very same process. */
  startTime: number
  lastStat: Stat | null
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
const RANK: Record<string, number> = Object.fromEntries(BUSIEST.map((letter, i) => [letter, i]))

export class ProcFsCollector implements Collector {
  readonly name = 'procfs'
  readonly timeSplit: boolean
  /** By thread id (unique among live tasks; each task also keeps its process's id, checked on use). */
  private readonly threads = new Map<number, ThreadTask>()
  private readonly processes = new Map<string, ProcessTask>()
  private readonly buf = Buffer.alloc(4096)
  private readonly out = new Map<string, RawSample>()
  private readonly resting: number[] = []
  private readonly counters = { runNs: 0, waitNs: 0 }
  /** Threads that ran in the last interval (see probe). */
  private readonly active: ThreadTask[] = []
  /**
   * Threads are read through schedstat (ns, about a third of the cost of stat); their stat (for the state letter) and
   * syscall only when they ran since the last tick. A thread that did not run cannot have changed state or left its
   * system call by its own doing. Programs with hundreds of mostly idle threads (pools) are the case this is for.
   */
  private readonly useSchedstat = schedstatWorks()
  /** What the threads read by readThreads ran since their last reading (ns), and how many it read. */
  private ranNs = 0
  private taken = 0
  /** The process being read (see scannedStill). */
  private reading: ProcessTask | null = null
  private readonly pageBytes = pageSize()
  private tick = 0

  /** `recent`: stat readings the tree scan of this tick already made (see RecentStats). */
  constructor(private readonly recent: RecentStats | null = null) {
    this.timeSplit = this.useSchedstat
  }

  async collect(targets: readonly SampleTarget[]): Promise<Map<string, RawSample>> {
    return this.collectSync(targets)
  }

  /**
   * Synchronous on purpose: one pread per file costs microseconds; the thread pool would cost more. The map returned is
   * the same from tick to tick (no allocation per unit): it holds until the next call.
   */
  collectSync(targets: readonly SampleTarget[]): Map<string, RawSample> {
    const out = this.out
    const tick = ++this.tick
    const now = Number(process.hrtime.bigint())
    const from = performance.now() / 1000
    // Processes first: a process decides which of its threads need reading this tick; its thread units then share it.
    // Indexed loops in what runs per unit per tick: code run once a tick is seldom optimised, and an unoptimised
    // for-of allocates a result object per step.
    for (let pass = 0; pass < 2; pass++) {
      const wanted = pass === 0
      for (let i = 0; i < targets.length; i++) {
        const target = targets[i]
        if ((target.tid === null) !== wanted) continue
        const sample =
          target.tid === null
            ? this.readProcess(target, tick, now)
            : this.threadSample(target.pid, target.tid, tick, now)
        this.reading = null
        if (sample) {
          sample.at = performance.now() / 1000
          out.set(target.id, sample)
        }
      }
    }
    // A unit not read this tick (gone, or no longer asked for) leaves the map: every reading made now is stamped later.
    out.forEach((sample, id) => {
      if ((sample.at ?? 0) < from) out.delete(id)
    })
    // The threads that ran in this interval are the only ones the looks between ticks visit. The lab's own are left
    // out: they run at every tick, and each look is a wake of the lab that costs CPU of its own.
    const active = this.active
    active.length = 0
    this.threads.forEach((t) => {
      if (t.seen !== tick) this.forgetThread(t)
      else if (t.active && t.pid !== process.pid) active.push(t)
    })
    this.processes.forEach((p, id) => {
      if (p.seen !== tick) this.forgetProcess(id, p)
    })
    this.recent?.prune()
    return out
  }

  get probing(): boolean {
    return this.active.length > 0
  }

  /**
   * Between ticks: what each thread that was active in the last interval is blocked in right now, so a tick's blocked
   * time can be split by what it was spent in rather than by one snapshot.
   */
  probe(): void {
    for (const t of this.active) if (t.active && t.stat.open) this.sampleSyscall(t)
  }

  private threadSample(pid: number, tid: number, tick: number, now: number): RawSample | null {
    const t = this.readThread(pid, tid, tick, now)
    if (!t?.last) return null
    const zombie = t.last.state === 'Z' || t.last.state === 'X'
    const cpuSeconds = t.sched ? t.runNs / 1e9 : (t.last.utime + t.last.stime) / USER_HZ
    const state = t.last.state
    const time = zombie ? null : t.split
    const last = t.raw
    if (last && last.cpuSeconds === cpuSeconds && last.state === state && (!this.timeSplit || last.time === time))
      return last
    t.raw = this.timeSplit ? { cpuSeconds, rss: null, state, time } : { cpuSeconds, rss: null, state }
    return t.raw
  }

  /** `rest`: a quiet thread whose counters are taken as unchanged this tick (see QUIET_EVERY). */
  private readThread(pid: number, tid: number, tick: number, now: number, rest = false): ThreadTask | null {
    let t = this.threads.get(tid)
    if (t && t.pid !== pid) {
      // The id belongs to another process now (or is asked for under another): start afresh.
      this.forgetThread(t)
      t = undefined
    }
    if (t && t.readIn === tick) return t
    if (t === undefined) {
      const base = `/proc/${pid}/task/${tid}/`
      const stat = openProcFile(`${base}stat`)
      if (!stat) return null
      const sched = this.useSchedstat ? openProcFile(`${base}schedstat`) : null
      t = {
        pid,
        tid,
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
        splitStill: false,
        blockedDirty: false,
        raw: null,
        listedIn: 0,
        readIn: 0,
        seen: tick,
      }
      this.threads.set(tid, t)
    }
    t.seen = tick
    t.readIn = tick
    let ran = true
    if (rest && t.sched && t.last) ran = false
    else if (t.sched && t.last && tid === pid && this.scannedStill(pid, t)) ran = false
    else if (t.sched) {
      const n = t.sched.read(this.buf, 64)
      if (n < 0) return this.threadGone(t)
      const { runNs, waitNs } = parseSchedstat(this.buf, n, this.counters)
      ran = runNs !== t.runNs || waitNs !== t.waitNs || t.last === null
      t.runNs = runNs
      t.waitNs = waitNs
    }
    t.active = ran
    t.quiet = ran ? 0 : t.quiet + 1
    if (ran) {
      const n = t.stat.read(this.buf)
      if (n < 0) return this.threadGone(t)
      t.last = parseStat(this.buf, n)
      if (t.last && t.last.state !== 'R' && t.last.state !== 'Z' && t.sched) this.sampleSyscall(t)
    } else {
      // Asleep the whole interval, in the same call as at its last reading.
      const b = t.blockedIn
      const known = b.lock > 0 || b.io > 0 || b.sleep > 0 || b.other > 0
      if (!known && t.last && t.last.state !== 'R' && t.last.state !== 'Z') this.sampleSyscall(t)
    }
    if (t.sched) this.split(t, now)
    return t
  }

  /**
   * Whether the tree scan of this tick, which read the run counters of single-threaded process `pid` a moment ago,
   * found them where this thread's last reading left them: it has not run since, and is not read again. A run in the
   * moment between shows at the next tick. A process that ran is read here as ever (its CPU is timed at this read).
   */
  private scannedStill(pid: number, t: ThreadTask): boolean {
    const p = this.reading
    if (!this.recent || p === null || p.pid !== pid || p.startTime < 0) return false
    const run = this.recent.takeRun(pid, p.startTime, performance.now())
    return run !== null && run.runNs === t.runNs && run.waitNs === t.waitNs
  }

  private sampleSyscall(t: ThreadTask): void {
    if (t.syscall === false) return
    t.syscall ??= openProcFile(`${t.base}syscall`) ?? false
    if (!t.syscall) return
    const reason = classifySyscall(this.buf, t.syscall.read(this.buf, 256))
    if (reason) {
      t.blockedIn[reason]++
      t.blockedDirty = true
    }
  }

  /** on a CPU + waiting for one + blocked = 100 % of the time since the last reading. */
  private split(t: ThreadTask, now: number): void {
    const from = t.splitFrom
    if (!from) {
      t.splitFrom = { runNs: t.runNs, waitNs: t.waitNs, at: now }
      t.blockedIn = t.active ? NO_BLOCKS() : t.blockedIn
      t.blockedDirty = false
      t.split = null
      t.splitStill = false
      return
    }
    // Another interval without running, with nothing new seen: the same split as last time.
    if (!t.active && t.splitStill && !t.blockedDirty && now > from.at) {
      from.at = now
      return
    }
    const blockedIn = t.blockedIn
    const span = now - from.at
    const ranNs = Math.max(0, t.runNs - from.runNs)
    const waitedNs = Math.max(0, t.waitNs - from.waitNs)
    from.runNs = t.runNs
    from.waitNs = t.waitNs
    from.at = now
    // A thread that did not run keeps what it was blocked in; one that ran starts afresh.
    if (t.active) t.blockedIn = NO_BLOCKS()
    t.blockedDirty = false
    if (span <= 0) {
      t.split = null
      t.splitStill = false
      return
    }
    let onCpu = (ranNs / span) * 100
    let runqueue = (waitedNs / span) * 100
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
    const blockedOn =
      samples === 0
        ? { lock: 0, io: 0, sleep: 0, other: blocked }
        : {
            lock: (blocked * blockedIn.lock) / samples,
            io: (blocked * blockedIn.io) / samples,
            sleep: (blocked * blockedIn.sleep) / samples,
            other: (blocked * blockedIn.other) / samples,
          }
    t.split = { onCpu, runqueue, blocked, blockedOn }
    t.splitStill = !t.active
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
        list: [],
        spare: [],
        retiredNs: 0,
        faults: -1,
        statRss: -1,
        memory: { rss: null, peakRss: null },
        seen: tick,
        reportedNs: null,
        reportedAt: 0,
        statNs: -1,
        state: '',
        raw: null,
        startTime: -1,
        lastStat: null,
      }
      this.processes.set(target.id, p)
    }
    p.seen = tick
    this.reading = p
    let stat = p.startTime >= 0 ? (this.recent?.take(p.pid, p.startTime) ?? null) : null
    // A single-threaded process whose only thread has not run since before its last stat reading cannot have changed
    // its stat by its own doing: that one stands (read for real every QUIET_EVERY ticks all the same, for memory
    // reclaimed; a process a tree scan follows gets that reading from the scan, which makes it as often). Two quiet
    // readings in a row: the thread's counters are read after the stat, so one quiet reading alone could hide a run
    // between the two reads.
    if (
      !stat &&
      p.lastStat &&
      this.useSchedstat &&
      p.list.length === 1 &&
      p.list[0].tid === p.pid &&
      p.lastStat.numThreads === 1 &&
      ((tick + p.pid) % QUIET_EVERY !== 0 || this.recent?.takeRun(p.pid, p.startTime, performance.now()))
    ) {
      const t = this.readThread(p.pid, p.pid, tick, now)
      if (t && t.quiet >= 2) {
        stat = p.lastStat
        // Its only thread still asleep as at the last reading, in the same call, nothing carried over: the very
        // reading of the last tick (what follows would arrive at it field by field). Hundreds of idle children.
        const raw = p.raw
        if (raw && !t.blockedDirty && p.list[0] === t && p.reportedNs === t.runNs + p.retiredNs) {
          t.listedIn = tick
          p.reportedAt = performance.now() * 1e6
          return raw
        }
      }
    }
    if (!stat) {
      const n = p.stat.read(this.buf)
      stat = n < 0 ? null : parseStat(this.buf, n)
      if (stat && p.startTime < 0) p.startTime = stat.startTime
    }
    p.lastStat = stat
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
    const before = p.list
    const list = this.readThreads(p, stat, statNs, tick, now)
    let runNs = 0
    let threadsThatRan = 0
    let onCpu = 0
    let runqueue = 0
    let blocked = 0
    let lock = 0
    let io = 0
    let sleep = 0
    let other = 0
    let split = false
    let best = BUSIEST.length
    let liveTid = -1
    for (let i = 0; i < list.length; i++) {
      const t = list[i]
      t.listedIn = tick
      runNs += t.runNs
      if (t.active) threadsThatRan++
      if (t.tid !== p.pid && liveTid < 0) liveTid = t.tid
      const letter = t.last?.state ?? ''
      if (letter !== 'Z' && letter !== 'X') {
        const rank = RANK[letter]
        if (rank !== undefined && rank < best) best = rank
        const s = t.split
        if (s) {
          split = true
          onCpu += s.onCpu
          runqueue += s.runqueue
          blocked += s.blocked
          lock += s.blockedOn.lock
          io += s.blockedOn.io
          sleep += s.blockedOn.sleep
          other += s.blockedOn.other
        }
      }
    }
    // A thread ended: its last reading stays in the process's total (the kernel keeps it in the process's times too).
    for (let i = 0; i < before.length; i++) if (before[i].listedIn !== tick) p.retiredNs += before[i].runNs
    p.list = list
    p.spare = before
    // The kernel's own total (10 ms ticks, never above the truth) catches threads that came and went between ticks. A
    // running thread's schedstat lags by up to a scheduler tick, so only a gap beyond that is taken as missed time.
    const slack = 2e7 + 4e6 * threadsThatRan
    if (statNs - (runNs + p.retiredNs) > slack) p.retiredNs = statNs - runNs
    if ((os === 'Z' || os === 'X') && best < BUSIEST.length) os = BUSIEST[best]
    // status costs more than every other file of a process: read it again only when a page was touched since, or
    // when stat's own (slightly lagging) resident count moved (memory given back makes no fault).
    if (stat.faults !== p.faults || stat.rss !== p.statRss || p.memory.rss === null) {
      p.memory = this.memory(p, liveTid < 0 ? undefined : liveTid)
      p.faults = stat.faults
      p.statRss = stat.rss
    }
    ;({ rss, peakRss } = p.memory)
    // A running thread's schedstat can be a scheduler tick ahead of or behind its true run time at the moment of a read,
    // so one interval could show a thread running longer than the interval itself. What a tick reports is capped at what
    // its threads could physically have run (each at most the wall time since the last reading); the rest is carried
    // into the next ticks, so no tick of a single thread reads above one core and the long-run total is unchanged.
    // This process's own reading time (not the tick's: a large tree takes milliseconds to read), without a BigInt.
    const at = performance.now() * 1e6
    const total = runNs + p.retiredNs
    p.reportedNs =
      p.reportedNs === null ? total : Math.min(total, p.reportedNs + (at - p.reportedAt) * Math.max(1, list.length))
    p.reportedAt = at
    const cpuSeconds = p.reportedNs / 1e9
    // Nothing moved (a process of idle threads): the same sample as last tick.
    const last = p.raw
    const lt = last?.time
    if (
      last &&
      last.cpuSeconds === cpuSeconds &&
      last.rss === rss &&
      last.peakRss === peakRss &&
      last.state === os &&
      (split
        ? lt &&
          lt.onCpu === onCpu &&
          lt.runqueue === runqueue &&
          lt.blocked === blocked &&
          lt.blockedOn.lock === lock &&
          lt.blockedOn.io === io &&
          lt.blockedOn.sleep === sleep &&
          lt.blockedOn.other === other
        : lt === null)
    )
      return last
    p.raw = {
      cpuSeconds,
      rss,
      peakRss,
      state: os,
      time: split ? { onCpu, runqueue, blocked, blockedOn: { lock, io, sleep, other } } : null,
    }
    return p.raw
  }

  /**
   * The process's threads, read: those of its last reading while the kernel's count agrees (a listing of
   * /proc/PID/task only when threads came or went), the quiet ones only when due or when the process's CPU total or
   * state shows a thread not read has run.
   */
  private readThreads(p: ProcessTask, stat: Stat, statNs: number, tick: number, now: number): ThreadTask[] {
    // Both lists are written by index and cut to length at the end: `length = 0` would drop their storage, and a
    // program of a thousand threads would grow them again, entry by entry, at every tick.
    const read = p.spare
    const resting = this.resting
    let rested = 0
    this.taken = 0
    this.ranNs = 0
    // A single-threaded process is its own only thread: no listing needed.
    const single = stat.numThreads === 1 && stat.state !== 'Z'
    const count = single ? 1 : p.list.length
    // Threads came or went (the counts differ): everything is read for real, then listed.
    const settled = count === stat.numThreads
    for (let i = 0; i < count; i++) {
      const tid = single ? p.pid : p.list[i].tid
      const t = this.threads.get(tid)
      const rest =
        settled && t !== undefined && t.pid === p.pid && t.quiet >= QUIET_AFTER && (tick + tid) % QUIET_EVERY !== 0
      if (rest && t.readIn !== tick) resting[rested++] = tid
      else this.take(p, read, tid, tick, now, false)
    }
    const woke = p.statNs >= 0 && (statNs - p.statNs - this.ranNs > WAKE_NS || stat.state !== p.state)
    p.statNs = statNs
    p.state = stat.state
    for (let i = 0; i < rested; i++) this.take(p, read, resting[i], tick, now, !woke)
    if (this.taken !== stat.numThreads) {
      const have = new Set<number>()
      for (let i = 0; i < this.taken; i++) have.add(read[i].tid)
      for (const tid of this.tids(p.pid)) if (!have.has(tid)) this.take(p, read, tid, tick, now, false)
    }
    if (read.length !== this.taken) read.length = this.taken
    return read
  }

  /** Reads thread `tid` of `p` into `read` (at `taken`), adding what it ran since its last reading to ranNs. */
  private take(p: ProcessTask, read: ThreadTask[], tid: number, tick: number, now: number, rest: boolean): void {
    const before = this.threads.get(tid)
    const from = before && before.pid === p.pid && before.readIn !== tick ? before.runNs : -1
    const t = this.readThread(p.pid, tid, tick, now, rest)
    if (!t || t.runNs < 0) return
    read[this.taken++] = t
    if (from >= 0) this.ranNs += t.runNs - from
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

  private threadGone(t: ThreadTask): null {
    this.forgetThread(t)
    return null
  }

  private forgetThread(t: ThreadTask): void {
    t.stat.close()
    t.sched?.close()
    if (t.syscall) t.syscall.close()
    if (this.threads.get(t.tid) === t) this.threads.delete(t.tid)
  }

  private forgetProcess(id: string, p: ProcessTask): void {
    p.stat.close()
    p.status?.close()
    this.processes.delete(id)
  }

  close(): void {
    this.active.length = 0
    for (const t of this.threads.values()) this.forgetThread(t)
    for (const [id, p] of this.processes) this.forgetProcess(id, p)
  }
}
