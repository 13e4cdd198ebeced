// Colours canvases need, read from the CSS theme; follows the OS light/dark setting.
import { shallowRef, type ShallowRef } from 'vue'
import type { UnitState } from '../../../shared/model'
import { STATE_ORDER, stateVar } from '../lib/colors'

export interface ThemeColors {
  dark: boolean
  fg: string
  muted: string
  grid: string
  surface: string
  accent: string
  states: Record<UnitState, string>
  /** A running unit the OS shows asleep (S, D ...): its lane is drawn in this colour. */
  sleeping: string
}

let theme: ShallowRef<ThemeColors> | null = null

function read(): ThemeColors {
  const css = getComputedStyle(document.documentElement)
  const v = (name: string): string => css.getPropertyValue(name).trim()
  return {
    dark: window.matchMedia('(prefers-color-scheme: dark)').matches,
    fg: v('--fg'),
    muted: v('--muted'),
    grid: v('--grid'),
    surface: v('--surface'),
    accent: v('--accent'),
    states: Object.fromEntries(STATE_ORDER.map((s) => [s, v(stateVar(s))])) as Record<UnitState, string>,
    sleeping: v('--state-sleeping'),
  }
}

/** One shared, app-lifetime theme: the media query listener lives as long as the window. */
export function useTheme(): ShallowRef<ThemeColors> {
  if (theme) return theme
  const t = shallowRef(read())
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => (t.value = read()))
  theme = t
  return t
}
