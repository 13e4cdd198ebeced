// CPU% from CPU-time deltas over a monotonic clock, as htop does: 100 = one core fully busy.

/** % of one core between two readings (CPU seconds at monotonic seconds), or null when time did not move forward. */
export function cpuPercent(wasSeconds: number, then: number, cpuSeconds: number, at: number): number | null {
  return at > then ? Math.max(0, ((cpuSeconds - wasSeconds) / (at - then)) * 100) : null
}

interface Last {
  cpuSeconds: number
  at: number
}

export class CpuMeter {
  private last = new Map<string, Last>()

  /**
   * @param at monotonic seconds of the reading
   * @returns % of one core since the previous reading of this id, or null on its first reading
   */
  update(id: string, cpuSeconds: number, at: number): number | null {
    const prev = this.last.get(id)
    this.last.set(id, { cpuSeconds, at })
    return prev ? cpuPercent(prev.cpuSeconds, prev.at, cpuSeconds, at) : null
  }

  /** Drops ids not in `live`, so ended units do not accumulate. */
  retain(live: ReadonlySet<string>): void {
    for (const id of this.last.keys()) if (!live.has(id)) this.last.delete(id)
  }
}
