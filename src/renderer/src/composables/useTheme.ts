// The theme: light or dark from the OS unless the person chose one; canvases read their colours from it.
import { shallowRef, type ShallowRef } from 'vue'
import type { UnitState } from '../../../shared/model'
import type { ThemeChoice } from '../../../shared/settings'
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
let choice: ThemeChoice = 'system'
const systemDark = (): boolean => window.matchMedia('(prefers-color-scheme: dark)').matches

function read(): ThemeColors {
  const css = getComputedStyle(document.documentElement)
  const v = (name: string): string => css.getPropertyValue(name).trim()
  return {
    dark: document.documentElement.dataset.theme === 'dark',
    fg: v('--fg'),
    muted: v('--muted'),
    grid: v('--grid'),
    surface: v('--surface'),
    accent: v('--accent'),
    states: Object.fromEntries(STATE_ORDER.map((s) => [s, v(stateVar(s))])) as Record<UnitState, string>,
    sleeping: v('--state-sleeping'),
  }
}

/** Sets the page's theme (data-theme on <html>, which the stylesheet keys on) and lets canvases redraw in it. */
export function applyThemeChoice(next: ThemeChoice): void {
  choice = next
  const dark = choice === 'dark' || (choice === 'system' && systemDark())
  document.documentElement.dataset.theme = dark ? 'dark' : 'light'
  if (theme) theme.value = read()
}

/** One shared, app-lifetime theme: the media query listener lives as long as the window. */
export function useTheme(): ShallowRef<ThemeColors> {
  if (theme) return theme
  if (!document.documentElement.dataset.theme) applyThemeChoice(choice)
  const t = shallowRef(read())
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => applyThemeChoice(choice))
  theme = t
  return t
}
