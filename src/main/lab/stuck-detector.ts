// Names stuck runs: when every live thread of a run has waited on a lock for seconds, "possible deadlock: N threads ...".
import type { Sample, Unit } from '../../shared/model'
import { isFinal } from '../../shared/model'

/** How long every thread must have been waiting before the run is called stuck. */
export const STUCK_AFTER_MS = 5000

/** % of a tick a thread must have spent blocked on a lock (its time split's `blockedOn.lock`) to count as waiting. */
export const LOCK_SHARE = 90

export interface StuckReport {
  /** The waiting threads. */
  units: string[]
  /** Since when all of them have been waiting (lab clock). */
  since: number
}

/** Where a thread waits: a futex (a lock) or something else; null when unknown. Injected, so tests need no /proc. */
export type BlockedOn = (pid: number, tid: number) => 'futex' | 'other' | null

export class StuckDetector {
  private readonly since = new Map<string, number>()

  constructor(private readonly blockedOn: BlockedOn | null) {}

  /**
   * One tick of a run: its units and their latest samples. A thread waits on a lock when the lab itself has it
   * waiting (its own lock or queue), or when the OS has it blocked in a futex (see waitsOnLock). Helpers do not count.
   */
  check(runId: string, units: readonly Unit[], samples: ReadonlyMap<string, Sample>, now: number): StuckReport | null {
    const counts = (u: Unit): boolean =>
      !isFinal(u.state) && !u.helper && (u.kind === 'thread' || (u.kind === 'process' && u.spawned))
    // Runs every tick for every running run: the first thread not waiting ends it, before any list is made.
    let any = false
    for (const u of units) {
      if (!counts(u)) continue
      any = true
      if (!this.waitsOnLock(u, samples.get(u.id))) {
        this.since.delete(runId)
        return null
      }
    }
    if (!any) {
      this.since.delete(runId)
      return null
    }
    const threads = units.filter(counts)
    const since = this.since.get(runId) ?? now
    this.since.set(runId, since)
    return now - since >= STUCK_AFTER_MS ? { units: threads.map((u) => u.id), since } : null
  }

  forget(runId: string): void {
    this.since.delete(runId)
  }

  /**
   * A thread with a time split (Linux schedstat and syscalls) waits on a lock when the tick's split has it blocked in a
   * futex for most of the interval; without one, when it sleeps (S) in a futex now. A process's split sums all its
   * threads (a Node process's idle helper threads sit in futexes), so processes use the second test.
   */
  private waitsOnLock(u: Unit, s: Sample | undefined): boolean {
    if (u.state === 'waiting') return true
    if (u.kind === 'thread' && s?.time) return s.time.blockedOn.lock >= LOCK_SHARE
    if (!s?.os || s.os !== 'S' || !this.blockedOn || u.tid === null) return false
    return this.blockedOn(u.pid, u.tid) === 'futex'
  }
}

/** "possible deadlock: 2 threads waiting on a lock for 12 s (python3 (main thread), Thread-2)" */
export function stuckSentence(report: StuckReport, now: number, labelOf: (id: string) => string): string {
  const n = report.units.length
  const seconds = Math.floor((now - report.since) / 1000)
  return `possible deadlock: ${n} ${n === 1 ? 'thread' : 'threads'} waiting on a lock for ${seconds} s (${report.units.map(labelOf).join(', ')})`
}
