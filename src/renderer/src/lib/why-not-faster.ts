// Which units of a run speak for "why isn't this faster?", and their mean split as one thread's (summing to 100).
import type { TimeSplit, Unit } from '../../../shared/model'
import { meanSplit } from '../../../shared/time-split'

/** A thread counts as working when it was on a CPU at least this much, or blocked on I/O (an I/O-bound worker). */
const WORKING_ON_CPU = 5
const WORKING_IO = 20

/** A process's split is summed over its threads: keep its CPU figures, and call the rest of one thread's time blocked. */
function asOneThread(t: TimeSplit): TimeSplit {
  const busy = Math.min(100, t.onCpu + t.runqueue)
  const blocked = 100 - busy
  const scale = t.blocked > 0 ? blocked / t.blocked : 0
  return {
    onCpu: Math.min(100, t.onCpu),
    runqueue: busy - Math.min(100, t.onCpu),
    blocked,
    blockedOn: {
      lock: t.blockedOn.lock * scale,
      io: t.blockedOn.io * scale,
      sleep: t.blockedOn.sleep * scale,
      other: t.blockedOn.other * scale,
    },
  }
}

/**
 * The working threads of a run (its idle main thread waiting in join would read "blocked on a lock" and mislead), else
 * its processes where their threads are not units. Null when nothing was measured yet. Threads that wait on I/O
 * without using a CPU count only when no thread works on a CPU: beside CPU workers they are the ones waiting for the
 * workers' results (a process pool's parent reading its pipes), and would make a CPU-bound pool read "bound by I/O".
 */
export function runSplit(
  units: readonly Unit[],
  meanOf: (id: string) => TimeSplit | null,
): { split: TimeSplit; count: number } | null {
  const onCpu: TimeSplit[] = []
  const onIo: TimeSplit[] = []
  for (const u of units) {
    const t = u.kind === 'thread' ? meanOf(u.id) : null
    if (!t) continue
    if (t.onCpu >= WORKING_ON_CPU) onCpu.push(t)
    else if (t.blockedOn.io >= WORKING_IO) onIo.push(t)
  }
  const threads = onCpu.length > 0 ? onCpu : onIo
  const picked =
    threads.length > 0
      ? threads
      : units.flatMap((u) => {
          const t = u.kind === 'process' || u.kind === 'program' ? meanOf(u.id) : null
          return t && t.onCpu >= WORKING_ON_CPU ? [asOneThread(t)] : []
        })
  const split = meanSplit(picked)
  return split ? { split, count: picked.length } : null
}
