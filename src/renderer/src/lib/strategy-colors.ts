// One colour per comparison strategy, the same in the speed-up chart, the table and the Gantt titles.
import type { StrategyId } from '../../../shared/compare/types'

const HUES: Record<StrategyId, number> = {
  seq: 215,
  async: 280,
  thread: 145,
  process: 25,
  piscina: 190,
  'thread-static': 95,
  'process-static': 345,
}

export function strategyColor(s: StrategyId, dark = false): string {
  return `hsl(${HUES[s]} 65% ${dark ? 62 : 40}%)`
}

/** A lane's colour inside one Gantt: neighbouring workers far apart on the wheel. */
export function laneColor(lane: number, dark = false): string {
  return `hsl(${Math.round((lane * 137.508 + 150) % 360)} 60% ${dark ? 60 : 45}%)`
}

/** Round steps (1, 2, 5 x 10^k) giving about one tick per `pxPerTick` pixels. */
export function tickStep(span: number, px: number, pxPerTick = 90): number {
  const raw = (span / Math.max(1, px)) * pxPerTick
  const pow = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-9)))
  const m = raw / pow
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * pow
}
