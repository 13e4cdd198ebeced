// Messages between the lab and a unit's host (a worker thread or a forked child), in both directions.
import type { SelfCpuSource, UnitState } from '../../../shared/model'
import type { SerializedError } from '../pools/remote-error'

/** Shared-memory handles a thread unit receives; process units reach the same objects through the broker. */
export interface ThreadHandles {
  /** Int32Array views: [0] = lock word per lock name. */
  locks: Record<string, SharedArrayBuffer>
  arrays: Record<string, SharedArrayBuffer>
  /** Live switches (index 0 = lock enabled), written by the lab. */
  flags: SharedArrayBuffer | null
}

export type Mode = 'thread' | 'process'

/** What the lab tells a host to do once it is up. */
export interface RunOrder {
  t: 'run'
  /** "scenarioId.workerName" or "task:name" for pool workers. */
  call: string
  args: unknown
  unitId: string
  label: string
  mode: Mode
  handles: ThreadHandles
  flags: Record<string, boolean>
  /** Slow motion: every w.sleep lasts this many times longer (absent = 1). */
  timeScale?: number
}

export type BrokerOp =
  | { op: 'lock.acquire'; name: string }
  | { op: 'lock.release'; name: string }
  | { op: 'array.get'; name: string; index: number }
  | { op: 'array.set'; name: string; index: number; value: number }
  | { op: 'queue.get'; name: string; block: boolean }
  | { op: 'queue.put'; name: string; value: unknown }

/** A pool task sent to a pool worker (in a 'tasks' message). */
export interface TaskOrder {
  id: number
  name: string
  args: unknown[]
  /** Thread pools: index of this task's state word in the pool's shared slots (see TASK_SLOT). */
  slot?: number
}

export interface PoolInit {
  t: 'init'
  /** Absolute path of a module whose named exports are the tasks (null: the lab's registered tasks). */
  module: string | null
  initializer: string | null
  initargs: unknown[]
}

/**
 * States of a thread-pool task sent ahead to a worker, in a shared Int32Array: the worker moves PENDING -> RUNNING
 * when it starts the task, the lab PENDING -> CANCELLED on cancel(); one compare-and-swap decides, as in Python.
 */
export const TASK_SLOT = { FREE: 0, PENDING: 1, RUNNING: 2, CANCELLED: 3 } as const

/** How a task ended inside a unit; `skipped` = it was cancelled before the unit started it. */
export interface TaskOutcome {
  id: number
  ok: boolean
  value?: unknown
  error?: SerializedError
  startedAt: number
  endedAt: number
  cpuMs: number | null
  skipped?: boolean
}

export type ToHost =
  | RunOrder
  /** `ack`: say 'started' when the first of these starts (a process pool's only way to know it got them). */
  | { t: 'tasks'; orders: TaskOrder[]; ack?: boolean }
  | { t: 'slots'; buffer: SharedArrayBuffer }
  /** Slow motion for a pool worker's tasks (their `sleep`). */
  | { t: 'timeScale'; scale: number }
  /** A pool worker's set-up before its first task: the user's module to take tasks from, and an initializer to run. */
  | PoolInit
  | { t: 'reply'; id: number; ok: boolean; value?: unknown; error?: string }
  | FlagsMessage
  /** Leave now, cleanly: the polite first step of a stop. */
  | { t: 'stop' }

/** Times are absolute ms (performance.timeOrigin + performance.now()), comparable across threads and processes. */
export type FromHost =
  | { t: 'hello'; pid: number; tid: number | null; at: number }
  | { t: 'log'; text: string; at: number; stream: 'out' | 'err' }
  | { t: 'state'; state: Extract<UnitState, 'running' | 'waiting' | 'holding'>; at: number }
  /** A thread's own figures: heap, and CPU time as it measures it (for platforms without per-thread OS counters). */
  | { t: 'self'; heapBytes: number; cpuMs: number; cpuSource: SelfCpuSource; at: number }
  /** A child's last message before it leaves: once it is sent, every message before it has reached the lab. */
  | { t: 'flush' }
  | { t: 'req'; id: number; req: BrokerOp }
  | { t: 'done'; value: unknown; at: number }
  | { t: 'fail'; error: string; at: number }
  /** Outcomes of tasks: a unit sent tasks in a batch answers in batches. */
  | { t: 'tasksDone'; outcomes: TaskOutcome[] }
  /** A pool worker's set-up (PoolInit) went through, or failed (the module did not load, the initializer threw). */
  | { t: 'started'; id: number }
  | { t: 'initDone' }
  | { t: 'initFailed'; error: SerializedError }

export function absNow(): number {
  return performance.timeOrigin + performance.now()
}

/** Live switches (the Lock toggle) as every unit and program of a run gets them: a message, the same shape for both. */
export interface FlagsMessage {
  t: 'flags'
  flags: Record<string, boolean>
}

/** Where each live switch sits in the shared flags buffer thread units read with Atomics: one Int32 each. */
export const FLAG_INDEX: Readonly<Record<string, number>> = { lock: 0 }
export const FLAG_SLOTS = 4
