// Accounts for a tree's short-lived processes: how many each process had, and the CPU they took, from its children time.
/**
 * A parent's children time (cutime + cstime) grows when it reaps a child. Children the lab followed as units owe their
 * own total to it; whatever it grows beyond that was used by children that came and went between ticks.
 */
export class ShortLivedLedger {
  private readonly lastChildMs = new Map<string, number>()
  private readonly owedMs = new Map<string, number>()
  private readonly pending = new Map<string, { processes: number; cpuMs: number; names: Set<string> }>()

  /** A followed child of `parent` ended with this total (its own CPU and its children's): not short-lived time. */
  ended(parent: string, totalMs: number): void {
    this.owedMs.set(parent, (this.owedMs.get(parent) ?? 0) + totalMs)
  }

  /** A short-lived process of `parent` was seen. */
  seen(parent: string, name: string): void {
    const p = this.entry(parent)
    p.processes++
    if (name) p.names.add(name)
  }

  /** `parent`'s children time now. */
  childTime(parent: string, ms: number): void {
    const last = this.lastChildMs.get(parent)
    this.lastChildMs.set(parent, ms)
    if (last === undefined || ms <= last) return
    const grown = ms - last
    const owed = this.owedMs.get(parent) ?? 0
    const paid = Math.min(owed, grown)
    if (owed > 0) this.owedMs.set(parent, owed - paid)
    if (grown > paid) this.entry(parent).cpuMs += grown - paid
  }

  drain(): { unit: string; processes: number; cpuMs: number; names: string[] }[] {
    const out = [...this.pending].map(([unit, p]) => ({
      unit,
      processes: p.processes,
      cpuMs: p.cpuMs,
      names: [...p.names],
    }))
    this.pending.clear()
    return out
  }

  private entry(unit: string): { processes: number; cpuMs: number; names: Set<string> } {
    let p = this.pending.get(unit)
    if (!p) this.pending.set(unit, (p = { processes: 0, cpuMs: 0, names: new Set() }))
    return p
  }
}
