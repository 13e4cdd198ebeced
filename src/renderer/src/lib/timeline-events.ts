// What the timeline draws besides state bars: lane order, event ticks per lane (prints, lock, queue, futures), task
// strips with what they computed, the zoom window and the axis step.
import type { LogLine, MarkEvent, TaskEvent, Unit } from '../../../shared/model'
import type { Transition } from './timeline'
import { unitOrdinal } from './unit-tree'

/** The lane of run-level events (the main side's log lines, submit / done / result) where no unit carries them. */
export const MAIN_LANE = 'run'

export type TickKind = 'print' | 'acquire' | 'release' | 'queue.get' | 'queue.put' | 'submit' | 'done' | 'result'

export interface LaneTick {
  t: number
  kind: TickKind
  text: string
}

export interface TaskStrip {
  start: number
  end: number
  /** "square(7) → 49 on worker 3, 12 ms" */
  text: string
}

/**
 * Lanes in the order a learner needs them: units that ran tasks first, then the rest by creation; helpers only when
 * asked for. A watched process whose main thread has a lane of its own is left out: the two would say the same.
 */
export function laneOrder(units: readonly Unit[], tasks: readonly TaskEvent[], showHelpers: boolean): Unit[] {
  const carriers = new Set(tasks.flatMap((t) => (t.worker ? [t.worker] : [])))
  const withMainThread = new Set(units.filter((u) => u.kind === 'thread' && u.tid === u.pid).map((u) => u.pid))
  return units
    .filter((u) => showHelpers || !u.helper)
    .filter((u) => !(u.kind === 'program' && withMainThread.has(u.pid)))
    .sort((a, b) => Number(carriers.has(b.id)) - Number(carriers.has(a.id)) || unitOrdinal(a.id) - unitOrdinal(b.id))
}

/** Lock acquires and releases, read from a unit's state changes (waiting/running -> holding, holding -> other). */
export function lockTicks(transitions: readonly Transition[]): LaneTick[] {
  const out: LaneTick[] = []
  for (let i = 1; i < transitions.length; i++) {
    const prev = transitions[i - 1].state
    const cur = transitions[i].state
    if (cur === 'holding' && prev !== 'holding')
      out.push({ t: transitions[i].t, kind: 'acquire', text: 'lock acquired' })
    else if (prev === 'holding' && cur !== 'holding')
      out.push({ t: transitions[i].t, kind: 'release', text: 'lock released' })
  }
  return out
}

/** Every tick of a run by lane id (MAIN_LANE for the run's own). */
export function laneTicks(
  logs: readonly LogLine[],
  marks: readonly MarkEvent[],
  tasks: readonly TaskEvent[],
  mainLane: string = MAIN_LANE,
): Map<string, LaneTick[]> {
  const out = new Map<string, LaneTick[]>()
  const add = (lane: string, tick: LaneTick): void => {
    const list = out.get(lane)
    if (list) list.push(tick)
    else out.set(lane, [tick])
  }
  for (const l of logs) add(l.unit ?? mainLane, { t: l.t, kind: 'print', text: l.text })
  for (const m of marks) if (m.kind) add(m.unit ?? mainLane, { t: m.t, kind: m.kind, text: m.text })
  for (const t of tasks)
    if (t.phase === 'submitted')
      add(mainLane, { t: t.t, kind: 'submit', text: `submit ${shortName(t.name)} #${t.task}` })
  return out
}

const shortName = (name: string): string => name.slice(name.lastIndexOf('.') + 1)

/** Task strips per worker, each with its hover text. */
export function taskStrips(tasks: readonly TaskEvent[], labelOf: (unit: string) => string): Map<string, TaskStrip[]> {
  const started = new Map<string, number>()
  const out = new Map<string, TaskStrip[]>()
  for (const ev of tasks) {
    const key = `${ev.pool}#${ev.task}`
    if (ev.phase === 'started') started.set(key, ev.t)
    else if (ev.phase === 'finished' && ev.worker) {
      const start = started.get(key) ?? ev.t
      started.delete(key)
      const call = ev.call ?? `${shortName(ev.name)} #${ev.task}`
      const outcome = ev.ok === false ? ` ✗ ${ev.error ?? 'failed'}` : ev.value !== undefined ? ` → ${ev.value}` : ''
      const text = `${call}${outcome} on ${labelOf(ev.worker)}, ${formatSpan(ev.t - start)}`
      const list = out.get(ev.worker) ?? []
      list.push({ start, end: ev.t, text })
      out.set(ev.worker, list)
    }
  }
  return out
}

export function formatSpan(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`
}

/** Axis steps, from 1 ms up: a step near 90 px wide is chosen. */
const STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000]

export function niceStep(spanMs: number, px: number, targetPx = 90): number {
  const target = (spanMs / Math.max(1, px)) * targetPx
  for (const s of STEPS) if (s >= target) return s
  return STEPS[STEPS.length - 1]
}

/** The narrowest window: a few ms, so single print ticks 1 ms apart can be told apart. */
export const MIN_SPAN_MS = 4

/** Zooms [from, to] by `factor` (< 1 in, > 1 out) around time `at`, kept within [lo, hi]. */
export function zoomWindow(
  from: number,
  to: number,
  at: number,
  factor: number,
  lo: number,
  hi: number,
): [number, number] {
  const span = Math.min(hi - lo, Math.max(MIN_SPAN_MS, (to - from) * factor))
  const left = (at - from) / (to - from)
  let a = at - span * left
  a = Math.max(lo, Math.min(a, hi - span))
  return [a, a + span]
}

/** Moves [from, to] by `dt`, kept within [lo, hi]. */
export function panWindow(from: number, to: number, dt: number, lo: number, hi: number): [number, number] {
  const span = to - from
  const a = Math.max(lo, Math.min(from + dt, hi - span))
  return [a, a + span]
}

/** The tick nearest to x (within `px`), for hover. */
export function nearestTick(ticks: readonly LaneTick[], x: number, sx: (t: number) => number, px = 4): LaneTick | null {
  let best: LaneTick | null = null
  let bestD = px + 1
  for (const t of ticks) {
    const d = Math.abs(sx(t.t) - x)
    if (d < bestD) {
      best = t
      bestD = d
    }
  }
  return best
}

/** A lane's name: the unit's role without its scenario, and a process's main thread named as the process. */
export function laneLabel(label: string): string {
  return label.replace(/^[^/]+\/\s*/, '').replace(/ \(main thread\)$/, '')
}
