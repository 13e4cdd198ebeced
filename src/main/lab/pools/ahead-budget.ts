// How many short tasks a worker may be sent ahead of time: what a worker holds is work no idle worker can take, so
// keep it under AHEAD_BUDGET_MS of run time (64 trivial tasks, one 1 ms task), and never more than a fair share.

/** At most this many tasks per worker, fewer as tasks get longer. */
export const MAX_AHEAD = 64
const AHEAD_BUDGET_MS = 0.5

export class AheadBudget {
  /** Moving mean of task run time (ms) measured in the workers. */
  private meanRunMs: number | null = null

  ran(ms: number): void {
    // Quick to rise, slow to fall: a longer task at once sends fewer ahead.
    this.meanRunMs = this.meanRunMs === null || ms > this.meanRunMs ? ms : this.meanRunMs * 0.9 + ms * 0.1
  }

  /** Tasks one worker may hold, given how many wait or run in the pool and its size. */
  limit(outstanding: number, size: number): number {
    const m = this.meanRunMs
    const byCost = m === null ? 1 : Math.min(MAX_AHEAD, Math.floor(AHEAD_BUDGET_MS / Math.max(m, 1e-3)))
    const fair = Math.ceil(outstanding / Math.max(1, size))
    return Math.max(1, Math.min(byCost, fair))
  }
}
