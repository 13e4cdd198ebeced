// Workloads for comparing pool strategies: the tasks (found by units through the registry as "workload.<name>")
// and, on the main side, the inputs of a run calibrated so that one task has a known cost.
import type { Transferable } from 'node:worker_threads'
import type { WorkloadId, WorkloadParams } from '../../../shared/compare/types'

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

/** What one run of a workload submits: a task name and one input per task. */
export interface WorkloadPlan {
  id: WorkloadId
  task: string
  inputs: unknown[]
  /** Cost of each task in ms as calibrated (null where it is not a CPU figure, e.g. IO). */
  costMs: (number | null)[]
  /** For payloads sent to threads by transfer: the buffers each input moves. */
  transfer: ((input: unknown) => Transferable[]) | null
  describe: string
}

export const WORKLOAD_DEFAULTS: Required<WorkloadParams> = { taskMs: 20, payloadBytes: 4 << 20, transfer: false, skew: 8 }

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
      return { id, task: 'workload.trivial', inputs: range(n), costMs: range(n).map(() => 0), transfer: null, describe: 'x * x' }
    case 'cpu': {
      const it = Math.round(spinIterationsPerMs() * p.taskMs)
      return { id, task: 'workload.spin', inputs: range(n).map(() => it), costMs: range(n).map(() => p.taskMs), transfer: null, describe: `hash loop of ${it} iterations (about ${p.taskMs} ms)` }
    }
    case 'io':
      return { id, task: 'workload.sleep', inputs: range(n).map(() => p.taskMs), costMs: range(n).map(() => null), transfer: null, describe: `a ${p.taskMs} ms timer` }
    case 'skewed': {
      const perMs = spinIterationsPerMs()
      const costs = range(n).map((i) => (i < Math.ceil(n / 4) ? p.taskMs * p.skew : p.taskMs))
      return { id, task: 'workload.spin', inputs: costs.map((ms) => Math.round(perMs * ms)), costMs: costs, transfer: null, describe: `hash loops: the first quarter ${p.skew}x ${p.taskMs} ms, the rest ${p.taskMs} ms` }
    }
    case 'payload': {
      const inputs = range(n).map((i) => new Uint8Array(p.payloadBytes).fill(i & 0xff))
      const transfer = p.transfer ? (input: unknown) => [(input as Uint8Array).buffer as ArrayBuffer] : null
      return { id, task: 'workload.checksum', inputs, costMs: range(n).map(() => null), transfer, describe: `checksum of ${(p.payloadBytes / (1 << 20)).toFixed(1)} MiB, ${p.transfer ? 'transferred to threads' : 'copied'}` }
    }
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}
