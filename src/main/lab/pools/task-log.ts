// What a pool tells about its tasks: submitted / started / finished TaskEvents for the lab's tick, and one record per
// finished task (lab clock, ms) for a comparison's Gantt.
import type { CompareTask } from '../../../shared/compare/types'
import type { TaskEvent } from '../../../shared/model'
import type { Outbox } from '../unit-table'
import type { Job } from './dispatch'

/** One task's life on the lab clock (ms); `startedAt` / `endedAt` are measured inside the worker, `lane` is its worker's number (1-based). */
export interface TaskRecord extends CompareTask {
  name: string
  /** Unit id of the worker. */
  worker: string
}

export class TaskLog {
  constructor(
    private readonly outbox: Outbox,
    private readonly pool: string,
    private readonly runId: string | null,
    /** Off for a comparison of 20,000 tasks: it keeps records instead. */
    readonly events: boolean,
    readonly onRecord?: (record: TaskRecord) => void,
  ) {}

  event(
    job: Job,
    phase: 'submitted' | 'started' | 'finished',
    worker: string | null,
    t: number,
    extra?: { ok?: boolean; error?: string; cpuMs?: number; queueMs?: number; call?: string; value?: string },
  ): void {
    if (!this.events) return
    if (phase === 'started') job.startedEmitted = true
    const e: TaskEvent = {
      type: 'task',
      t,
      runId: this.runId,
      pool: this.pool,
      task: job.order.id,
      name: job.order.name,
      phase,
      worker,
    }
    if (extra) for (const [k, v] of Object.entries(extra)) if (v !== undefined) Object.assign(e, { [k]: v })
    this.outbox.events.push(e)
  }
}

/** A value as a short text for the timeline's hover: "49", "[1,2]", "\"Completed task1!\"". */
export function shortText(value: unknown, limit = 40): string {
  let text: string
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value))
  } catch {
    text = String(value)
  }
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`
}

/** "pool-async.square" with [7, 20] -> "square(7, 20)"; a map chunk shows its items. */
export function callText(name: string, args: readonly unknown[]): string {
  const short = name.slice(name.lastIndexOf('.') + 1)
  return `${short}(${args.map((a) => shortText(a, 24)).join(', ')})`
}
