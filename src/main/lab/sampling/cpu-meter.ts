// CPU% from CPU-time deltas over a monotonic clock, as htop does: 100 = one core fully busy.

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
    if (!prev) {
      this.last.set(id, { cpuSeconds, at })
      return null
    }
    const { cpuSeconds: was, at: then } = prev
    prev.cpuSeconds = cpuSeconds
    prev.at = at
    if (at <= then) return null
    return Math.max(0, ((cpuSeconds - was) / (at - then)) * 100)
  }

  get size(): number {
    return this.last.size
  }

  /** Drops ids not in `live`, so ended units do not accumulate. */
  retain(live: ReadonlySet<string>): void {
    for (const id of this.last.keys()) if (!live.has(id)) this.last.delete(id)
  }
}
