// What the lab starts runs below the lab's own thread in the OS scheduler. With every core busy with units' work, the
// lab's thread still gets a core as soon as it wakes, so ticks keep their interval and commands are answered; units
// among themselves compete as equals, so what they show (GIL, run-queue waits, speed-ups) is unchanged.
import { readdirSync } from 'node:fs'
import os from 'node:os'

/**
 * How far below the lab units, pool workers and programs run: nice +10 gives the lab's thread about 9 times a unit
 * thread's share of a contended core. PARALLEL_LAB_UNIT_NICE sets another step (0 turns it off); 19 is the floor.
 */
export function unitNiceStep(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.PARALLEL_LAB_UNIT_NICE
  const n = raw === undefined || raw.trim() === '' ? 10 : Number(raw)
  return Number.isInteger(n) && n >= 0 && n <= 19 ? n : 10
}

/** Where a unit's threads go, set by the lab when it starts the unit (its start-up already runs there). */
export const UNIT_NICE_ENV = 'PARALLEL_LAB_UNIT_NICE_TARGET'

/** One thread or process, down to `target` unless it is there already (never raised: an unprivileged one cannot). */
function lowerTo(id: number, target: number): void {
  try {
    if (os.getPriority(id) < target) os.setPriority(id, target)
  } catch {
    // Gone already, or the platform refuses: it runs at the lab's priority.
  }
}

/** The nice a unit started now should have: the calling (lab) thread's, plus the step. */
export function unitNiceTarget(step = unitNiceStep()): number {
  try {
    return Math.min(19, os.getPriority() + step)
  } catch {
    return step
  }
}

/**
 * Lowers the calling unit: on Linux, where nice is per thread, the calling thread alone when it is a worker thread, or
 * every thread of the process when it is a child's main thread (threads made later inherit it). Elsewhere a worker
 * thread is left alone (the call would lower the whole lab) and a child lowers its process. Call once, at start.
 */
export function lowerOwnPriority(isThread: boolean, tid: number | null, step = unitNiceStep()): void {
  if (step === 0) return
  // A unit the lab started was given its target (and may be there already); another starts at its creator's nice.
  const fromLab = Number(process.env[UNIT_NICE_ENV] || NaN)
  const target = Number.isInteger(fromLab) ? fromLab : unitNiceTarget(step)
  if (process.platform === 'linux') {
    if (!isThread) for (const t of tasksOf('self')) lowerTo(t, target)
    else if (tid !== null) lowerTo(tid, target)
    return
  }
  if (!isThread) lowerTo(0, target)
}

function tasksOf(pid: number | 'self'): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number)
  } catch {
    return []
  }
}

/**
 * Lowers a process the lab has just spawned (a program, or a unit while it starts up), from the lab's side: its main
 * thread, before it has started others, so its threads and children inherit the lower priority.
 */
export function lowerSpawned(pid: number, target = unitNiceTarget()): void {
  if (!(pid > 0)) return
  if (process.platform === 'linux') for (const t of tasksOf(pid)) lowerTo(t, target)
  else lowerTo(pid, target)
}

/** Above this many threads in the lab, a new thread lowers itself only (see lowerNewThread). */
const MAX_TASKS_LISTED = 256

/**
 * Runs `create` (which starts a thread) and lowers the thread it started at once, from the lab's side: a worker thread
 * would otherwise spend its start-up (an isolate, the host module) at the lab's priority. On Linux only, where the
 * thread is told apart as the one task of this process that was not there before.
 */
export function lowerNewThread<T>(create: () => T, target = unitNiceTarget()): T {
  if (process.platform !== 'linux' || target <= os.getPriority()) return create()
  const tasks = tasksOf('self')
  // Listing the tasks twice per thread costs more than the start-up it saves once a process has this many.
  if (tasks.length > MAX_TASKS_LISTED) return create()
  const before = new Set(tasks)
  const made = create()
  for (const t of tasksOf('self')) if (!before.has(t)) lowerTo(t, target)
  return made
}
