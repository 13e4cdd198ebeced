// One hue per unit (same in table, timeline and charts) and the state palette explained by the legend.
import type { UnitState } from '../../../shared/model'
import { unitOrdinal } from './unit-tree'

/** Golden-angle steps keep neighbouring units far apart on the colour wheel. */
export function unitHue(id: string): number {
  return Math.round((unitOrdinal(id) * 137.508 + 200) % 360)
}

export function unitColor(id: string, dark = false): string {
  return `hsl(${unitHue(id)} 70% ${dark ? 62 : 42}%)`
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

export const STATE_ORDER: readonly UnitState[] = ['starting', 'running', 'waiting', 'holding', 'exited', 'crashed', 'killed', 'detached']

/** CSS custom property holding each state's colour (defined in the theme for light and dark). */
export function stateVar(state: UnitState): string {
  return `--state-${state}`
}
