// State history per unit, turned into the timeline's lane segments (running, waiting for the lock, holding it, done).
import type { TaskEvent, UnitState } from '../../../shared/model'
import { isFinal } from '../../../shared/model'

export interface Transition {
  t: number
  state: UnitState
}

export interface Segment {
  start: number
  end: number
  state: UnitState
}

/** Transitions kept per unit; a unit that loops under a toggled lock makes a few per second. */
export const MAX_TRANSITIONS = 4000

export function pushTransition(list: Transition[], tr: Transition): void {
  const last = list[list.length - 1]
  if (last && last.state === tr.state) return
  list.push(tr)
  // Drop the oldest half at once so trimming is rare and cheap.
  if (list.length > MAX_TRANSITIONS) list.splice(0, list.length - MAX_TRANSITIONS / 2)
}

/** Index of the last transition at or before t (0 when none): where a window starting at t begins. */
export function firstCovering(list: readonly Transition[], t: number): number {
  let lo = 0
  let hi = list.length - 1
  let found = 0
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (list[mid].t <= t) {
      found = mid
      lo = mid + 1
    } else hi = mid - 1
  }
  return found
}

/**
 * Segments of one lane clipped to [from, to]. A final state is drawn up to where it begins only:
 * the lane ends there, and `doneAt` says where.
 */
export function laneSegments(
  list: readonly Transition[],
  from: number,
  to: number,
): { segments: Segment[]; doneAt: number | null; final: UnitState | null } {
  const segments: Segment[] = []
  let doneAt: number | null = null
  let final: UnitState | null = null
  for (let i = firstCovering(list, from); i < list.length; i++) {
    const cur = list[i]
    if (isFinal(cur.state)) {
      doneAt = cur.t
      final = cur.state
      break
    }
    const end = i + 1 < list.length ? list[i + 1].t : to
    if (end < from || cur.t > to) continue
    segments.push({ start: Math.max(from, cur.t), end: Math.min(to, end), state: cur.state })
  }
  return { segments, doneAt, final }
}

/**
 * Each worker's task bars (start to end), from a run's task events. A task is known by its pool and number together: two
 * pools of one run both have a task 1. A finish whose start scrolled away starts where it ends.
 */
export function taskBars(events: readonly TaskEvent[]): Map<string, { start: number; end: number }[]> {
  const bars = new Map<string, { start: number; end: number }[]>()
  const started = new Map<string, number>()
  for (const ev of events) {
    const key = `${ev.pool}\u0000${ev.task}`
    if (ev.phase === 'started') started.set(key, ev.t)
    else if (ev.phase === 'finished' && ev.worker) {
      const start = started.get(key) ?? ev.t
      started.delete(key)
      const list = bars.get(ev.worker) ?? []
      list.push({ start, end: ev.t })
      bars.set(ev.worker, list)
    }
  }
  return bars
}

/** The OS letters of one lane within [from, to]: each letter holds from its sample until the next one. */
export function osSegments(
  list: readonly { t: number; os: string }[],
  from: number,
  to: number,
): { start: number; end: number; os: string }[] {
  const out: { start: number; end: number; os: string }[] = []
  for (let i = 0; i < list.length; i++) {
    const start = Math.max(from, list[i].t)
    const end = Math.min(to, i + 1 < list.length ? list[i + 1].t : to)
    if (end > start) out.push({ start, end, os: list[i].os })
  }
  if (out.length === 0 || out[0].start > from) out.unshift({ start: from, end: out[0]?.start ?? to, os: 'R' })
  return out
}

/** The part of a lane's sample history a window shows: a sample's CPU % covers the interval since the one before it. */
export interface CpuSpan {
  start: number
  end: number
  /** % of one core over the span. */
  cpu: number
}

/**
 * CPU spans of one lane within [from, to], from its samples' times and CPU % (in order, NaN = no value: a first sample).
 * A sample stands for the interval that ends at its time and starts at the sample before it.
 */
export function cpuSpans(
  times: { length: number; at(i: number): number },
  cpu: { at(i: number): number },
  from: number,
  to: number,
): CpuSpan[] {
  // The first sample whose time reaches `from`: its interval is the first to overlap the window.
  let lo = 1
  let hi = times.length - 1
  let first = times.length
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (times.at(mid) >= from) {
      first = mid
      hi = mid - 1
    } else lo = mid + 1
  }
  const out: CpuSpan[] = []
  for (let i = first; i < times.length; i++) {
    const start = times.at(i - 1)
    if (start > to) break
    const value = cpu.at(i)
    const end = Math.min(to, times.at(i))
    if (Number.isFinite(value) && end > Math.max(from, start))
      out.push({ start: Math.max(from, start), end, cpu: value })
  }
  return out
}

/** The most opaque a lane's CPU shade gets (at one core). */
export const CPU_SHADE_MAX = 0.8

/** Opacity of a lane's CPU shade: proportional to CPU %, one core (100 %) and above at `max`. */
export function cpuAlpha(cpu: number, max = CPU_SHADE_MAX): number {
  return Math.max(0, Math.min(1, cpu / 100)) * max
}
