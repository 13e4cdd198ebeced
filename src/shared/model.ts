// Plain data shared by the lab, its adapters and the renderer: units, samples, ticks, runs.

/** What a unit is: the lab's own process, a worker thread, a forked child, or an external program. */
export type UnitKind = 'main' | 'thread' | 'process' | 'program'

/**
 * Life of a unit. `waiting` = blocked on a lock or a queue, `holding` = running while holding a lock.
 * `exited`, `crashed`, `killed` and `detached` (no longer watched; the process itself goes on) are final.
 */
export type UnitState = 'starting' | 'running' | 'waiting' | 'holding' | 'exited' | 'crashed' | 'killed' | 'detached'

export const FINAL_STATES: readonly UnitState[] = ['exited', 'crashed', 'killed', 'detached']

/** Why an attached process cannot be ended from the app (End is disabled with this reason). */
export const ATTACHED_NOT_OURS = 'Parallel Lab did not start this process.'

export function isFinal(state: UnitState): boolean {
  return FINAL_STATES.includes(state)
}

/** Identity and life of one unit. Sent whole whenever any field changes. */
export interface Unit {
  id: string
  kind: UnitKind
  pid: number
  /** OS thread id (Linux TID) for threads; null for processes. `worker.threadId` is NOT this. */
  tid: number | null
  /** Parent unit id: a thread's process, a child's spawner. */
  parent: string | null
  /** Role, e.g. "counters / khanh" or "pool A / worker 3". */
  label: string
  runId: string | null
  /** ms on the lab clock (monotonic, 0 = lab start). */
  createdAt: number
  endedAt: number | null
  /** True when the lab spawned it: only those can be killed from the UI. */
  spawned: boolean
  /**
   * True for a process the lab attached to (and its descendants and threads): it only watches it. The lab never
   * signals such a unit, and its exit code cannot be known (only a parent can read it).
   */
  attached?: boolean
  state: UnitState
  exitCode: number | null
  signal: string | null
  /** Crash reason, one sentence. */
  error: string | null
  /** Thread name (/proc/PID/task/TID/comm) or program command, when known. */
  command: string | null
  /**
   * A thread the lesson's code did not make itself (a queue's feeder, a pool's handler, the lab's flags reader): the
   * views fold it away unless asked to show helpers.
   */
  helper?: boolean
}

/** How a thread measured itself: its own CPU clock, or event-loop busy time (an estimate, labelled as such). */
export type SelfCpuSource = 'thread-cpu' | 'event-loop'

/** What a blocked thread waits in, from its current system call: a lock or condition (futex), I/O, a sleep, else other. */
export type BlockReason = 'lock' | 'io' | 'sleep' | 'other'

export const BLOCK_REASONS: readonly BlockReason[] = ['lock', 'io', 'sleep', 'other']

/**
 * Where a thread's time went over one tick, in % of the interval: on a CPU, waiting for one (runnable, on a run
 * queue), or blocked. A thread's three sum to 100; a process's are summed over its threads (a process of 4 threads sums
 * to 400). From the kernel's scheduler statistics (Linux schedstat), so absent elsewhere.
 */
export interface TimeSplit {
  onCpu: number
  runqueue: number
  blocked: number
  /** `blocked` divided by what it was spent in (sums to `blocked`), from the system calls sampled over the interval. */
  blockedOn: Record<BlockReason, number>
}

/** A split with `f` applied to each of its figures (rounding, for one). */
export function mapTimeSplit(t: TimeSplit, f: (v: number) => number): TimeSplit {
  const b = t.blockedOn
  return {
    onCpu: f(t.onCpu),
    runqueue: f(t.runqueue),
    blocked: f(t.blocked),
    blockedOn: { lock: f(b.lock), io: f(b.io), sleep: f(b.sleep), other: f(b.other) },
  }
}

/** One unit's measurements in one tick. */
export interface Sample {
  id: string
  /** % of one core (100 = one core fully busy); null on a unit's first sample (no delta yet). */
  cpu: number | null
  /** Cumulative CPU seconds (user + system) since the unit started. */
  cpuSeconds: number | null
  /** Resident memory in bytes (processes). */
  rss: number | null
  /** V8 heap used in bytes (threads, self-reported). */
  heap: number | null
  /**
   * Where `cpu` came from when not from the OS's per-thread counters (absent = OS counters): a thread's own
   * CPU clock, or its event-loop utilisation where the platform gives the lab no per-thread CPU time.
   */
  cpuSource?: SelfCpuSource
  /**
   * OS scheduler state letter where the collector sees it (procfs): R runnable (on a CPU or waiting for one), S
   * sleeping, D uninterruptible (usually disk), T stopped, t traced, Z zombie (ended, not yet reaped), I idle. A
   * process carries its main thread's letter, or, when that thread has exited while others run, its busiest thread's.
   */
  os?: string
  /** Where the time went since the last tick (null on a unit's first sample); absent where the platform cannot tell. */
  time?: TimeSplit | null
  /** Peak resident memory of a process over its whole life (the kernel's high-water mark, VmHWM), in bytes. */
  peakRss?: number | null
}

/** Processes that started and ended between two ticks: counted from fast polling, their CPU from their parent's totals. */
export interface TransientCount {
  processes: number
  /** CPU ms they used, from the growth of their parent's children CPU time (cutime + cstime) beyond known children. */
  cpuMs: number
}

export interface TransientStats extends TransientCount {
  /** Per parent unit (the process they were children of), with the names seen (a few). */
  parents: ({ unit: string; names: string[] } & TransientCount)[]
}

export interface LogLine {
  t: number
  unit: string | null
  runId: string | null
  text: string
  stream: 'out' | 'err'
  /** Line of the scenario's source that printed it, where the runtime reports it (Python scenarios). */
  line?: number
}

/** A unit changed state at time t (the timeline's lanes are built from these). */
export interface StateEvent {
  type: 'state'
  t: number
  unit: string
  state: UnitState
}

export type TaskPhase = 'submitted' | 'started' | 'finished'

/** A pool task's life. cpuMs is thread/process CPU time measured inside the worker. */
export interface TaskEvent {
  type: 'task'
  t: number
  runId: string | null
  pool: string
  task: number
  name: string
  phase: TaskPhase
  /** Worker unit id, once started. */
  worker: string | null
  ok?: boolean
  error?: string
  cpuMs?: number
  /** On `finished`: ms from submission until the worker started it. */
  queueMs?: number
  /** The call as text, e.g. "square(7)", where the pool reports it. */
  call?: string
  /** Its value as text ("49"), on `finished`. */
  value?: string
}

/** What a moment on a unit's lane was: a queue operation or the main thread's calls on a future. */
export type MarkKind = 'queue.get' | 'queue.put' | 'submit' | 'done' | 'result'

export const MARK_KINDS: readonly MarkKind[] = ['queue.get', 'queue.put', 'submit', 'done', 'result']

/**
 * A user action or notable moment ("lock on", "pool resized to 4"): a line across the run. With a `kind` it is a
 * tick on the lane of `unit` (the run's main lane when null), e.g. `queue.get` or the main thread's `done()`.
 */
export interface MarkEvent {
  type: 'mark'
  t: number
  runId: string | null
  text: string
  kind?: MarkKind
  unit?: string | null
  /** Source line that made it, where known. */
  line?: number
}

export interface RunEvent {
  type: 'run'
  t: number
  run: RunInfo
}

export type LabEvent = StateEvent | TaskEvent | MarkEvent | RunEvent

export interface MachineSample {
  /** Busy % of each core, 0-100. Empty on the first tick. */
  cores: number[]
  memTotal: number
  memUsed: number
}

export interface SamplerStats {
  intervalMs: number
  /** Wall time spent collecting this tick (finding units and reading them), ms. */
  costMs: number
  /** CPU the whole lab process used since the previous tick (all its threads: sampling, IPC, everything), ms. */
  labCpuMs: number | null
  collector: string
}

/** One batched message per scheduler tick. */
export interface Tick {
  seq: number
  t: number
  /** Units that appeared or changed since the last tick (whole records). */
  units: Unit[]
  /** A sample for every live unit. */
  samples: Sample[]
  logs: LogLine[]
  events: LabEvent[]
  machine: MachineSample
  sampler: SamplerStats
  /** Processes that came and went inside watched trees since the last tick. */
  transient: TransientStats
}

export type RunStatus = 'running' | 'done' | 'failed' | 'stopped'

export interface RunInfo {
  id: string
  scenario: string
  params: Record<string, unknown>
  startedAt: number
  endedAt: number | null
  status: RunStatus
  /** Whether the run's lock is currently on (for scenarios that have one). */
  lock: boolean | null
  /** Size of the run's pool that resizePool acts on; null when it has none (a Python program's pool is its own). */
  poolSize: number | null
  result: unknown
  error: string | null
  /** A warning about the run as it goes, e.g. "possible deadlock: 2 threads waiting on a lock for 12 s (...)". */
  warning?: string | null
  /** The units the warning points at. */
  warningUnits?: string[]
  /** Slow motion: every sleep lasted this many times longer (absent = 1). */
  timeScale?: number
}

export interface UnitSummary {
  id: string
  label: string
  kind: UnitKind
  pid: number
  tid: number | null
  state: UnitState
  exitCode: number | null
  signal: string | null
  error: string | null
  peakCpu: number | null
  meanCpu: number | null
  /** Processes: the kernel's high-water mark (VmHWM) where the platform has it, else the highest RSS sampled. */
  peakRss: number | null
  /** Mean of the ticks' time splits over the unit's life; null where not measured. */
  time: TimeSplit | null
  /** Short-lived children of this process, counted over its whole life. */
  transient: TransientCount | null
  lockWaitMs: number
  lockHoldMs: number
}

export interface RunSummary {
  run: RunInfo
  units: UnitSummary[]
  /** Every short-lived process of the run's trees. */
  transient: TransientCount
}

/** What a run left behind, for a window that connects after it started (a reload): within the lab's bounds. */
export interface RunHistory {
  run: RunInfo
  units: Unit[]
  logs: LogLine[]
  /** Lines ever printed, so a line keeps its index after older ones were dropped. */
  logCount: number
  marks: MarkEvent[]
  tasks: TaskEvent[]
  /** State changes of the run's units, for the timeline. */
  states: StateEvent[]
  /** Each unit's CPU % and OS letter per tick, for the timeline's lane shading. */
  samples: SamplePoint[]
}

/** One unit's CPU % of one core (over the interval that ends at `t`) and OS state letter, as a run's journal keeps them. */
export interface SamplePoint {
  t: number
  unit: string
  cpu: number | null
  os: string | null
}

/** Everything a newly connected view needs before ticks start. */
export interface LabSnapshot {
  t: number
  pid: number
  units: Unit[]
  runs: RunInfo[]
  intervalMs: number
  cores: number
  platform: string
  collector: string
  /** What the lab cannot show here, one sentence each (e.g. threads of programs off Linux). */
  notes?: string[]
  /** Folder the lab reads a person's own programs from (one JSON file each). */
  programsDir?: string
}

/** One process of the machine, for the attach picker. Unreadable ones carry what could be seen and `reason`. */
export interface MachineProcess {
  pid: number
  ppid: number | null
  /** Owner's user name (or uid where there is no name). */
  user: string
  /** Process name (comm); empty where unreadable. */
  name: string
  /** Command line; `[name]` for kernel threads; empty where unreadable. */
  command: string
  /** OS state letter (R, S, D, T, Z). */
  state: string | null
  /** % of one core since the previous listing; null on the first reading. */
  cpu: number | null
  rss: number | null
  threads: number | null
  /** Clock ticks since boot: sent back with `attach` so a reused PID is told apart. */
  startTime: number | null
  readable: boolean
  /** Why some of it is missing, one sentence; null when everything was read. */
  reason: string | null
}

export interface ProcessListing {
  processes: MachineProcess[]
  /** What the lab cannot see here (hidepid, a platform without procfs), one sentence; null when it sees everything. */
  note: string | null
}

/** What attaching to a running process started: a run that follows it, and its root unit. */
export interface AttachInfo {
  run: RunInfo
  unitId: string
}
