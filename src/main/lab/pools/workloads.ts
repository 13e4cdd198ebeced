// Workloads for comparing pool strategies: the tasks (found by units through the registry as "workload.<name>")
// and, on the main side, the inputs of a run calibrated so that one task has a known cost.
import type { Transferable } from 'node:worker_threads'
import type { WorkloadId, WorkloadParams } from '../../../shared/compare/types'
import { absNow } from '../units/protocol'
import { createCpuClock } from '../sampling/self'

/** A hash loop: pure CPU, no allocation, linear in `iterations`. */
export function spin(iterations: number): number {
  let h = 0x811c9dc5
  for (let i = 0; i < iterations; i++) h = Math.imul(h ^ i, 0x01000193)
  return h >>> 0
}

export function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2)
}

/** Touches every 64th byte, so the cost is in moving the buffer, not in reading it. */
export function checksum(data: Uint8Array): number {
  let s = 0
  for (let i = 0; i < data.length; i += 64) s = (s + data[i]) | 0
  return s
}

/** The task functions units run, registered under "workload.<key>". */
export const workloadTasks: Record<string, (...args: never[]) => unknown> = {
  'workload.trivial': (x: number) => x * x,
  'workload.spin': (iterations: number) => spin(iterations),
  'workload.fib': (n: number) => fib(n),
  'workload.sleep': (ms: number) => new Promise((resolve) => setTimeout(() => resolve(ms), ms)),
  'workload.checksum': (data: Uint8Array) => checksum(data),
  // For demonstrating (and testing) failures: a task that throws, and one that takes its whole worker down.
  'workload.sqrt': (x: number) => {
    if (x < 0) throw new RangeError(`sqrt of a negative number (${x})`)
    return Math.sqrt(x)
  },
  'workload.exit': (code: number, afterMs: number) => new Promise(() => setTimeout(() => process.exit(code), afterMs)),
}

/** A payload input travels as its recipe and is made where it is used: a buffer is never held before its task needs it. */
export interface PayloadRecipe {
  payloadBytes: number
  fill: number
}

function isPayloadRecipe(v: unknown): v is PayloadRecipe {
  return typeof v === 'object' && v !== null && 'payloadBytes' in v && 'fill' in v
}

/** The input a recipe stands for: a fresh buffer for a payload, the value itself otherwise. */
export function makeInput(recipe: unknown): unknown {
  return isPayloadRecipe(recipe) ? new Uint8Array(recipe.payloadBytes).fill(recipe.fill) : recipe
}

let loopClock: ReturnType<typeof createCpuClock> | null = null
/** Opened on first use, inside the thread that runs the loop (its schedstat is that thread's). */
const loopCpuClock = (): number | null => (loopClock ??= createCpuClock('thread'))()

/**
 * The sequential baseline (one plain loop, `together` false) and the async strategy (Promise.all, `together` true) of a
 * comparison, run inside one dedicated worker thread so the lab's own thread never runs a task. Each item's input is
 * made just before it runs (outside its timing); times are absolute ms, and CPU ms per item where it is measurable.
 */
export async function timedLoop(
  fn: (input: unknown) => unknown,
  recipes: readonly unknown[],
  together: boolean,
): Promise<{ times: number[]; cpu: (number | null)[]; failed: number }> {
  const times = new Array<number>(recipes.length * 2)
  const cpu = new Array<number | null>(recipes.length).fill(null)
  let failed = 0
  const one = async (i: number): Promise<void> => {
    const input = makeInput(recipes[i])
    const startedAt = absNow()
    // Tasks interleaved by Promise.all share the thread: a CPU reading around one would count the others.
    const cpu0 = together ? null : loopCpuClock()
    try {
      const v = fn(input)
      if (v instanceof Promise) await v
    } catch {
      failed++
    }
    times[2 * i] = startedAt
    times[2 * i + 1] = absNow()
    const cpu1 = cpu0 === null ? null : loopCpuClock()
    cpu[i] = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0
  }
  if (together) await Promise.all(recipes.map((_, i) => one(i)))
  else for (let i = 0; i < recipes.length; i++) await one(i)
  return { times, cpu, failed }
}

/** What one run of a workload submits: a task name and one input recipe per task (see makeInput). */
export interface WorkloadPlan {
  id: WorkloadId
  task: string
  recipes: unknown[]
  /** Inputs are big (payload): a pool gets them a few at a time, made as each task is sent. */
  heavy: boolean
  /** Cost of each task in ms as calibrated (null where it is not a CPU figure, e.g. IO). */
  costMs: (number | null)[]
  /** For payloads sent to threads by transfer: the buffers each input moves. */
  transfer: ((input: unknown) => Transferable[]) | null
  describe: string
}

export const WORKLOAD_DEFAULTS: Required<WorkloadParams> = {
  taskMs: 20,
  payloadBytes: 4 << 20,
  transfer: false,
  skew: 8,
}

let spinPerMs: number | null = null

/** Hash-loop iterations per ms on this machine: the median of a few timed runs on the main thread, cached. */
export function spinIterationsPerMs(): number {
  if (spinPerMs !== null) return spinPerMs
  const probe = 200_000
  spin(probe)
  const rates: number[] = []
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now()
    spin(probe)
    rates.push(probe / Math.max(0.001, performance.now() - t0))
  }
  rates.sort((a, b) => a - b)
  spinPerMs = rates[3]
  return spinPerMs
}

/** Builds the inputs of `tasks` tasks of a workload. Skewed: the first quarter costs `skew` times the rest. */
export function planWorkload(id: WorkloadId, tasks: number, params: WorkloadParams = {}): WorkloadPlan {
  const p = { ...WORKLOAD_DEFAULTS, ...params }
  const n = Math.max(1, tasks)
  switch (id) {
    case 'trivial':
      return {
        id,
        task: 'workload.trivial',
        recipes: range(n),
        heavy: false,
        costMs: range(n).map(() => 0),
        transfer: null,
        describe: 'x * x',
      }
    case 'cpu': {
      const it = Math.round(spinIterationsPerMs() * p.taskMs)
      return {
        id,
        task: 'workload.spin',
        recipes: range(n).map(() => it),
        heavy: false,
        costMs: range(n).map(() => p.taskMs),
        transfer: null,
        describe: `hash loop of ${it} iterations (about ${p.taskMs} ms)`,
      }
    }
    case 'io':
      return {
        id,
        task: 'workload.sleep',
        recipes: range(n).map(() => p.taskMs),
        heavy: false,
        costMs: range(n).map(() => null),
        transfer: null,
        describe: `a ${p.taskMs} ms timer`,
      }
    case 'skewed': {
      const perMs = spinIterationsPerMs()
      const costs = range(n).map((i) => (i < Math.ceil(n / 4) ? p.taskMs * p.skew : p.taskMs))
      return {
        id,
        task: 'workload.spin',
        recipes: costs.map((ms) => Math.round(perMs * ms)),
        heavy: false,
        costMs: costs,
        transfer: null,
        describe: `hash loops: the first quarter ${p.skew}x ${p.taskMs} ms, the rest ${p.taskMs} ms`,
      }
    }
    case 'payload': {
      const recipes: PayloadRecipe[] = range(n).map((i) => ({ payloadBytes: p.payloadBytes, fill: i & 0xff }))
      const transfer = p.transfer ? (input: unknown) => [(input as Uint8Array).buffer as ArrayBuffer] : null
      return {
        id,
        task: 'workload.checksum',
        recipes,
        heavy: true,
        costMs: range(n).map(() => null),
        transfer,
        describe: `checksum of ${(p.payloadBytes / (1 << 20)).toFixed(1)} MiB, ${p.transfer ? 'transferred to threads' : 'copied'}`,
      }
    }
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}

/** A user's own function as a workload: `task`, an export of the module `file`, called once per input. */
export interface ModuleWorkload {
  file: string
  task: string
  inputs: unknown[]
}

export function planModuleWorkload(m: ModuleWorkload): WorkloadPlan {
  return {
    id: 'trivial',
    task: m.task,
    recipes: [...m.inputs],
    heavy: false,
    costMs: m.inputs.map(() => null),
    transfer: null,
    describe: `${m.task}(input) from ${m.file}, ${m.inputs.length} inputs`,
  }
}
