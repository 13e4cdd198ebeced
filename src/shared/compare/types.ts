// A comparison of pool strategies: what to run, what comes back, and the validation of a request. Pure TypeScript.
import type { FieldError, Validation } from '../params'
import { echo } from '../bounds'

export const WORKLOADS = ['trivial', 'cpu', 'io', 'skewed', 'payload'] as const
export type WorkloadId = (typeof WORKLOADS)[number]

export const STRATEGIES = ['seq', 'async', 'thread', 'process', 'piscina', 'thread-static', 'process-static'] as const
export type StrategyId = (typeof STRATEGIES)[number]

export const STRATEGY_INFO: Record<StrategyId, { label: string; pooled: boolean; describe: string }> = {
  seq: {
    label: 'sequential',
    pooled: false,
    describe: 'one task after another: one plain loop in a worker thread of its own',
  },
  async: {
    label: 'async (Promise.all)',
    pooled: false,
    describe: 'all tasks started at once in one worker thread: overlaps waiting, not computing',
  },
  thread: {
    label: 'thread pool',
    pooled: true,
    describe:
      'our ThreadPool, one shared queue: a free worker takes the next task; all N workers started before timing (start-up shown apart)',
  },
  process: {
    label: 'process pool',
    pooled: true,
    describe: 'our ProcessPool, one shared queue; all N workers started before timing (start-up shown apart)',
  },
  piscina: {
    label: 'piscina',
    pooled: true,
    describe: 'piscina 5.3.2 with N threads, the reference library; its threads warmed by one task each before timing',
  },
  'thread-static': {
    label: 'thread pool, static chunks',
    pooled: true,
    describe: 'inputs split evenly up front, one chunk per worker; workers started before timing',
  },
  'process-static': {
    label: 'process pool, static chunks',
    pooled: true,
    describe: 'inputs split evenly up front, one chunk per worker; workers started before timing',
  },
}

export const WORKLOAD_INFO: Record<WorkloadId, string> = {
  trivial: 'x * x: measures dispatch overhead only',
  cpu: 'a calibrated hash loop (CPU-bound)',
  io: 'a timer (IO-bound: waiting, no CPU)',
  skewed: 'CPU tasks of unequal size: the first quarter is heavy (static vs dynamic)',
  payload: 'a large buffer per task (copy vs transfer)',
}

export interface WorkloadParams {
  /** Target cost of one task in ms (cpu, skewed base, io wait). */
  taskMs?: number
  payloadBytes?: number
  /** Payload: transfer buffers to threads instead of copying. */
  transfer?: boolean
  /** Skewed: how many times heavier the first quarter is. */
  skew?: number
}

export interface CompareRequest {
  workload: WorkloadId
  strategies: StrategyId[]
  sizes: number[]
  tasks: number
  repeat: number
  params?: WorkloadParams
}

/** A lane of a Gantt: one worker (or the one thread of seq / async). */
export interface CompareLane {
  label: string
  pid: number
  tid: number | null
}

/** One task on the timeline, ms from the start of its run. */
export interface CompareTask {
  id: number
  lane: number
  submittedAt: number
  startedAt: number
  endedAt: number
  doneAt: number
  cpuMs: number | null
  ok: boolean
}

/** A worker's CPU over the run (% of one core per bin), from the CPU time its tasks measured. */
export interface CpuSeries {
  lane: number
  binMs: number
  values: number[]
}

export interface CompareRun {
  strategy: StrategyId
  size: number
  repeat: number
  /** From the first submit (pool already up) to the last result. */
  wallMs: number
  /** From creating the pool until all its workers were up (seq and async: their one thread). */
  startupMs: number
  /**
   * End to end: pool start-up plus wall. Seq and async count no start-up (a program needs no pool for them; their
   * thread exists only so the lab never stalls).
   */
  endToEndMs: number
  /** From creating the pool (start-up included) to the first result. */
  firstResultMs: number | null
  /** Sum of task run times measured in the workers. */
  busyMs: number
  efficiency: number
  throughput: number
  latencyP50: number
  latencyP95: number
  queueWaitP50: number
  queueWaitP95: number
  /** CPU of the whole strategy: the lab process's delta plus its child processes. */
  cpuMs: number | null
  /** Peak of (lab RSS growth + RSS of its child processes) while it ran. */
  peakMemBytes: number | null
  tasks: number
  failed: number
}

export interface Spread {
  median: number
  min: number
  max: number
}

export interface CompareRow {
  strategy: StrategyId
  size: number
  runs: number
  wallMs: Spread
  /** Median sequential wall / median wall: the pool already up, from the first submit to the last result. */
  speedup: number | null
  /** Median sequential wall / median end-to-end time (pool start-up included): what a program that starts the pool sees. */
  speedupWithStartup: number | null
  efficiency: Spread
  throughput: Spread
  latencyP50: Spread
  latencyP95: Spread
  queueWaitP50: Spread
  startupMs: Spread
  firstResultMs: Spread | null
  cpuMs: Spread | null
  peakMemBytes: Spread | null
  failed: number
}

/** The timeline of one run (the last repeat of a strategy x size), for the Gantt and the trace. */
export interface CompareTrace {
  strategy: StrategyId
  size: number
  repeat: number
  wallMs: number
  lanes: CompareLane[]
  tasks: CompareTask[]
  cpu: CpuSeries[]
}

export interface CompareResult {
  id: string
  request: CompareRequest
  startedAt: string
  finishedAt: string
  cancelled: boolean
  machine: { cores: number; platform: string; node: string }
  workload: { describe: string; taskCostMs: number | null }
  /** A comparison of a user's own function (`lab compare --module`): it ran instead of the request's workload. */
  module?: { file: string; task: string }
  rows: CompareRow[]
  runs: CompareRun[]
  traces: CompareTrace[]
}

export interface CompareProgress {
  id: string
  done: number
  total: number
  strategy: StrategyId | null
  size: number | null
  repeat: number | null
  phase: 'running' | 'done' | 'cancelled' | 'failed'
  error?: string
}

/**
 * What one request may ask, chosen so the largest accepted comparison ends in bounded time and memory: at most
 * `workMs` of nominal task time summed over every run (tasks x task cost x runs), at most `bars` task bars in its result
 * (about 120 bytes each in JSON), and at most `inFlightBytes` of payload buffers alive at once (2 per worker).
 */
export const COMPARE_LIMITS = {
  tasks: 20_000,
  repeat: 20,
  size: 64,
  sizes: 8,
  taskMs: 10_000,
  payloadBytes: 64 << 20,
  skew: 100,
  workMs: 600_000,
  bars: 100_000,
  inFlightBytes: 1 << 30,
}

/** Nominal cost of one task in ms, for the time budget: payloads are counted at 1 GB/s, trivial tasks at 10 us. */
export function nominalTaskMs(workload: WorkloadId, tasks: number, params: WorkloadParams = {}): number {
  const taskMs = params.taskMs ?? 20
  switch (workload) {
    case 'trivial':
      return 0.01
    case 'cpu':
    case 'io':
      return taskMs
    case 'skewed': {
      const heavy = Math.ceil(tasks / 4)
      return (taskMs * ((params.skew ?? 8) * heavy + (tasks - heavy))) / tasks
    }
    case 'payload':
      return Math.max(0.01, (params.payloadBytes ?? 4 << 20) / 1e6)
  }
}

/** Runs a request makes (repeat x (seq and async once, pooled strategies once per size)), and how many keep a trace. */
export function countRuns(req: Pick<CompareRequest, 'strategies' | 'sizes' | 'repeat'>): {
  runs: number
  traces: number
} {
  const strategies = new Set<StrategyId>(['seq', ...req.strategies])
  let traces = 0
  for (const s of strategies) traces += STRATEGY_INFO[s].pooled ? req.sizes.length : 1
  return { runs: traces * req.repeat, traces }
}

const seconds = (ms: number): string => `${Math.round(ms / 1000).toLocaleString('en-US')} s`

/** Checks a request from any boundary (IPC, socket, CLI); errors name the field. */
export function validateCompareRequest(payload: unknown): Validation<CompareRequest> {
  const errors: FieldError[] = []
  const bad = (field: string, message: string): void => void errors.push({ field, message })
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return { ok: false, errors: [{ field: 'payload', message: 'The request must be an object.' }] }
  // Own properties only, on an object without a prototype: "constructor" or "__proto__" are keys like any other.
  const p: Record<string, unknown> = Object.assign(Object.create(null), payload)
  const known = ['workload', 'strategies', 'sizes', 'tasks', 'repeat', 'params']
  for (const key of Object.keys(p))
    if (!known.includes(key))
      bad(key, `${echo(key)} is not part of a comparison request (it takes ${known.join(', ')}).`)
  if (!WORKLOADS.includes(p.workload as WorkloadId))
    bad('workload', `workload must be one of ${WORKLOADS.join(', ')} (got ${echo(p.workload)}).`)
  const strategies = p.strategies
  if (
    !Array.isArray(strategies) ||
    strategies.length === 0 ||
    strategies.some((s) => !STRATEGIES.includes(s as StrategyId))
  ) {
    bad('strategies', `strategies must be a non-empty list of ${STRATEGIES.join(', ')}.`)
  }
  const sizes = p.sizes
  if (
    !Array.isArray(sizes) ||
    sizes.length === 0 ||
    sizes.length > COMPARE_LIMITS.sizes ||
    sizes.some((n) => !Number.isInteger(n) || n < 1 || n > COMPARE_LIMITS.size)
  ) {
    bad('sizes', `sizes must be 1 to ${COMPARE_LIMITS.sizes} whole numbers from 1 to ${COMPARE_LIMITS.size}.`)
  }
  const int = (key: 'tasks' | 'repeat', max: number): void => {
    const v = p[key]
    if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > max)
      bad(key, `${key} must be a whole number from 1 to ${max} (got ${echo(v)}).`)
  }
  int('tasks', COMPARE_LIMITS.tasks)
  int('repeat', COMPARE_LIMITS.repeat)
  if (p.params !== undefined) {
    const w = p.params
    if (typeof w !== 'object' || w === null || Array.isArray(w)) bad('params', 'params must be an object.')
    else {
      const q: Record<string, unknown> = Object.assign(Object.create(null), w)
      const num = (key: keyof WorkloadParams, min: number, max: number, whole = false): void => {
        const v = q[key]
        if (
          v !== undefined &&
          (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (whole && !Number.isInteger(v)))
        ) {
          bad(key, `${key} must be a ${whole ? 'whole ' : ''}number from ${min} to ${max} (got ${echo(v)}).`)
        }
      }
      num('taskMs', 0, COMPARE_LIMITS.taskMs)
      num('payloadBytes', 1, COMPARE_LIMITS.payloadBytes, true)
      num('skew', 1, COMPARE_LIMITS.skew)
      if (q.transfer !== undefined && typeof q.transfer !== 'boolean')
        bad('transfer', `transfer must be true or false (got ${echo(q.transfer)}).`)
      for (const key of Object.keys(q))
        if (!['taskMs', 'payloadBytes', 'transfer', 'skew'].includes(key))
          bad(key, `${echo(key)} is not a workload parameter (taskMs, payloadBytes, transfer, skew).`)
    }
  }
  if (errors.length > 0) return { ok: false, errors }
  const req = { ...p } as unknown as CompareRequest
  const { runs, traces } = countRuns({
    strategies: [...new Set(req.strategies)],
    sizes: [...new Set(req.sizes)],
    repeat: req.repeat,
  })
  const workMs = req.tasks * nominalTaskMs(req.workload, req.tasks, req.params) * runs
  if (workMs > COMPARE_LIMITS.workMs) {
    bad(
      'tasks',
      `This comparison would run about ${seconds(workMs)} of tasks (${req.tasks} tasks x ${nominalTaskMs(req.workload, req.tasks, req.params).toFixed(2)} ms x ${runs} runs); the limit is ${seconds(COMPARE_LIMITS.workMs)}: lower tasks, taskMs, repeat, sizes or strategies.`,
    )
  }
  if (req.tasks * traces > COMPARE_LIMITS.bars) {
    bad(
      'tasks',
      `This comparison would keep ${(req.tasks * traces).toLocaleString('en-US')} task bars (tasks x ${traces} strategy and size pairs); the limit is ${COMPARE_LIMITS.bars.toLocaleString('en-US')}.`,
    )
  }
  const inFlight = req.workload === 'payload' ? 2 * Math.max(...req.sizes) * (req.params?.payloadBytes ?? 4 << 20) : 0
  if (inFlight > COMPARE_LIMITS.inFlightBytes) {
    bad(
      'payloadBytes',
      `Payloads of ${req.params?.payloadBytes} bytes, 2 per worker for ${Math.max(...req.sizes)} workers, would hold ${(inFlight / (1 << 20)).toFixed(0)} MiB at once; the limit is ${COMPARE_LIMITS.inFlightBytes / (1 << 20)} MiB.`,
    )
  }
  if (errors.length > 0) return { ok: false, errors }
  return {
    ok: true,
    value: { ...req, strategies: [...new Set(req.strategies)], sizes: [...new Set(req.sizes)].sort((a, b) => a - b) },
  }
}
