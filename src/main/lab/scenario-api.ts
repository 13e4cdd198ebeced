// The one module scenario authors import from the lab: what a scenario declares (catalog entry, main-side run, the
// functions its units execute), what its run may use (RunContext) and what its unit code may use (WorkerApi).
// Scenarios import this and src/shared only; the lab imports nothing from scenarios/ (a lint rule holds both arrows).
import type { ParamSpec, ParamValues } from '../../shared/params'
import type { FifoQueue } from './sync/fifo-queue'
import type { SharedIntsHandle } from './sync/shared-ints'
import type { Pool } from './pools/pool'
import type { CompareRequest, CompareResult } from '../../shared/compare/types'
import type { Mode } from './units/protocol'
import type { WorkerApi } from './units/worker-api'

export type { Mode } from './units/protocol'
export type { SharedInts, UnitLock, UnitQueue, WorkerApi } from './units/worker-api'
export type { SharedIntsHandle } from './sync/shared-ints'
export type { FifoQueue } from './sync/fifo-queue'
export type { Pool } from './pools/pool'
export { programScenario, type ProgramScenarioSpec } from './programs/program-scenario'
export { pythonCommand } from './programs/python-command'
/** A pool task's pause: stretched by the run's slow motion, as a unit's `w.sleep` is. */
export { sleep } from './units/time-scale'

export interface SpawnedUnit {
  id: string
  /** The worker function's return value; rejects with a sentence when the unit crashed or was killed. */
  done: Promise<unknown>
}

export interface SpawnOptions {
  mode: Mode
  label: string
  /** Name of a function in this scenario's `workers`. */
  worker: string
  args?: unknown
}

/** An external command the run starts as a child (no shell) and follows with its whole process tree. */
export interface ProgramOptions {
  command: string
  args?: readonly string[]
  label: string
  cwd?: string
  env?: Record<string, string>
}

export interface ProgramOutcome {
  /** The program's root unit. */
  unitId: string
  pid: number
  exitCode: number | null
  signal: string | null
  /** What the program sent as its `result` message on the side channel (undefined if none). */
  result: unknown
  /** Its last lines on stderr, for the error of a failed run. */
  stderrTail: string[]
}

/** What a scenario's `run` may use; everything it creates is torn down when the run ends or is stopped. */
export interface RunContext {
  readonly runId: string
  /** Aborted when the run is stopped. */
  readonly signal: AbortSignal
  log(text: string): void
  mark(text: string): void
  spawn(opts: SpawnOptions): SpawnedUnit
  /** Declares a lock for this run's units: an Atomics mutex for threads, the lab's broker for processes. */
  lock(name: string, mode: Mode): void
  sharedInts(name: string, values: readonly number[], mode: Mode): SharedIntsHandle
  queue<T>(name: string, items?: Iterable<T>): FifoQueue<T>
  pool(opts: { kind: Mode; size: number; name?: string }): Pool
  /** Runs a comparison of pool strategies as part of this run (its workers belong to the run; stopping it cancels). */
  compare(req: CompareRequest): Promise<CompareResult>
  /** Runs a program to its end; rejects with a sentence when it cannot start. Its tree is stopped with the run. */
  program(opts: ProgramOptions): Promise<ProgramOutcome>
}

export type WorkerFn = (w: WorkerApi, args: never) => unknown
export type TaskFn = (...args: never[]) => unknown

/**
 * What a scenario module (such as scenarios/index.ts, built to out/lab/scenarios.mjs) exports: the list the entries hand
 * to the Lab, and the file every unit host imports to find the unit functions and tasks it is asked to run.
 */
export interface ScenarioModule {
  scenarios: readonly ScenarioDefinition[]
}

export interface ScenarioDefinition<P extends ParamValues = ParamValues> {
  id: string
  title: string
  section: string
  summary: string
  params: ParamSpec[]
  run(ctx: RunContext, params: P): Promise<unknown>
  workers?: Record<string, WorkerFn>
  tasks?: Record<string, TaskFn>
  /** What runs the scenario's code (default 'node'); 'program' is a user's own command. */
  runtime?: 'node' | 'python' | 'program'
  /** Whether it can run on this machine; absent means always. */
  availability?(): { available: boolean; reason: string | null }
  /** The file of the code it runs, for the code pane (absent: the lab looks for scenarios/<id>.ts). */
  source?(): { path: string; language: 'python' | 'typescript' } | null
}

export function defineScenario<P extends ParamValues>(def: ScenarioDefinition<P>): ScenarioDefinition {
  return def as unknown as ScenarioDefinition
}
