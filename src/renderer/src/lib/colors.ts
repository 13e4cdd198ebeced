// One hue per unit (same in table, timeline and charts) and the state palette explained by the legend.
import type { UnitState } from '../../../shared/model'
import { unitOrdinal } from './unit-tree'

/**
 * Hue bands a unit may take: blues and cyans, then magentas and pinks. The state colours (green running, amber
 * waiting, violet holding, red crashed) lie outside them, so a unit's or a task's colour never reads as a state.
 */
export const UNIT_HUE_BANDS: readonly (readonly [number, number])[] = [
  [180, 235],
  [292, 330],
]
const BAND_SPAN = UNIT_HUE_BANDS.reduce((sum, [a, b]) => sum + (b - a), 0)

/** Golden-ratio steps through the bands keep neighbouring units far apart. */
export function unitHue(id: string): number {
  let at = ((unitOrdinal(id) * 0.618034 + 0.1) % 1) * BAND_SPAN
  for (const [a, b] of UNIT_HUE_BANDS) {
    if (at <= b - a) return Math.round(a + at)
    at -= b - a
  }
  return UNIT_HUE_BANDS[0][0]
}

export function unitColor(id: string, dark = false): string {
  // Two lightness steps double the distinct colours within the narrower hue range.
  const step = Math.floor(unitOrdinal(id) / 3) % 2
  return `hsl(${unitHue(id)} 70% ${dark ? 62 + step * 10 : 42 - step * 8}%)`
}

export const STATE_LABELS: Record<UnitState, string> = {
  starting: 'starting',
  running: 'running',
  waiting: 'waiting for the lock',
  holding: 'holding the lock',
  exited: 'exited',
  crashed: 'crashed',
  killed: 'killed',
  detached: 'detached (no longer watched)',
}

export const STATE_ORDER: readonly UnitState[] = [
  'starting',
  'running',
  'waiting',
  'holding',
  'exited',
  'crashed',
  'killed',
  'detached',
]

/** CSS custom property holding each state's colour (defined in the theme for light and dark). */
export function stateVar(state: UnitState): string {
  return `--state-${state}`
}
