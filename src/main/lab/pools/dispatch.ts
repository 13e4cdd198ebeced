// What the executor core shares with the dispatcher of its kind: a task's bookkeeping, a worker's, and the hooks the
// thread dispatcher (send-ahead, stealing, slots) and the process dispatcher (the call queue) fill in.
import type { Transferable } from 'node:worker_threads'
import type { LiveUnit } from '../units/spawner'
import type { TaskOrder, TaskOutcome } from '../units/protocol'
import type { Future } from './future'

export interface Job {
  future: Future
  order: TaskOrder
  submittedAt: number
  transfer?: readonly Transferable[]
  /** Thread pools: its state word while it waits in a worker's inbox. */
  slot: number | null
  startedEmitted: boolean
  /** A child's channel broke under it: the worker never got it, so its death does not fail it. */
  undelivered?: boolean
  /** Process pools: the message it went in, marked once the worker started it (its first task says so). */
  batch?: { started: boolean }
}

export interface PoolWorker {
  unit: LiveUnit
  label: string
  lane: number
  /** Sent to this worker and not answered yet, in the order sent (the first is the one it runs). */
  jobs: Job[]
  /** Slots of tasks taken back from this worker's inbox (task id -> slot), freed once it reports skipping them. */
  tombs: Map<number, number>
  retiring: boolean
  /** Said hello and finished its set-up (module, initializer): it may be sent tasks. */
  ready: boolean
  /** Tasks sent to it so far (for maxTasksPerChild). */
  sent: number
  /** Whether it keeps the program alive now (null: not set yet). */
  kept: boolean | null
}

/** The executor core as its dispatcher sees it. */
export interface DispatchHost {
  /** Submitted, not yet handed to a worker (nor to the call queue). */
  readonly queue: Job[]
  readonly workers: ReadonlySet<PoolWorker>
  /** The pool's size: at most this many workers. */
  readonly size: number
  /** Jobs on workers, not answered yet. */
  busy: number
  /** How many more tasks this worker may be sent (maxTasksPerChild; Infinity without it). */
  quota(w: PoolWorker): number
  /** Books jobs on a worker and sends them in one message; one whose arguments cannot be sent fails alone. */
  send(w: PoolWorker, jobs: Job[]): void
}

export interface Dispatcher {
  /** Jobs already marked running that wait for a worker (the process pool's call queue; always empty for threads). */
  readonly held: Job[]
  /** A worker said hello. */
  workerReady(w: PoolWorker): void
  /** Hands a worker what it may take now; true if something was sent. */
  feed(w: PoolWorker): boolean
  /** After each round of feeding. */
  topUp(): void
  /** An outcome of a task this worker no longer holds (the old copy of a stolen task): true if it was consumed. */
  consumeTomb(w: PoolWorker, o: TaskOutcome): boolean
  /** A job left its worker (answered, or the worker died). */
  leaveInbox(job: Job): void
  /** A task ran for `ms` in a worker. */
  ran(ms: number): void
  /** Which of a dead worker's jobs had started (-1: none). */
  startedAmong(jobs: readonly Job[]): number
  /** True if the job was cancelled while it waited in a worker's inbox. */
  cancelledInInbox(job: Job): boolean
  /** A worker is gone: forget what it held. */
  workerGone(w: PoolWorker): void
}
