// What the app remembers between launches, its defaults, and the checks every stored or sent value passes.
import { echo, own } from './bounds'
import type { FieldError, Validation } from './params'
import { INTERVAL_DEFAULT_MS, validateInterval } from './params'

export const THEMES = ['system', 'light', 'dark'] as const
export type ThemeChoice = (typeof THEMES)[number]
export const CPU_SCALES = ['core', 'machine'] as const
export const SORT_KEYS = ['label', 'kind', 'pid', 'tid', 'state', 'split', 'cpu', 'mem', 'time'] as const
/** Columns of the unit table that can be hidden (the unit's name always shows). */
export const OPTIONAL_COLUMNS = ['kind', 'pid', 'tid', 'state', 'split', 'cpu', 'spark', 'mem', 'time'] as const
export type OptionalColumn = (typeof OPTIONAL_COLUMNS)[number]

export interface WindowBounds {
  x: number | null
  y: number | null
  width: number
  height: number
  maximized: boolean
}

/** The Compare view's form as it was last left. */
export interface CompareFormValues {
  workload: string
  strategies: string[]
  sizes: number[]
  tasks: number
  repeat: number
  taskMs: number
}

export interface Settings {
  intervalMs: number
  cpuScale: (typeof CPU_SCALES)[number]
  sort: { key: (typeof SORT_KEYS)[number]; dir: 1 | -1 }
  hiddenColumns: OptionalColumn[]
  showEnded: boolean
  /** The view shown last (the renderer falls back to the first view for a name it does not have). */
  view: string
  theme: ThemeChoice
  /** The desktop window's size and place; null until it was first moved or resized. */
  window: WindowBounds | null
  compareForm: CompareFormValues | null
  /** Record every run, watch and comparison into the sessions folder (PARALLEL_LAB_RECORD=0 and --no-record win). */
  record: boolean
}

/** The settings and, once after a launch, what happened to a settings file that could not be used. */
export interface SettingsState {
  settings: Settings
  notice: string | null
}

export const DEFAULT_SETTINGS: Settings = {
  intervalMs: INTERVAL_DEFAULT_MS,
  cpuScale: 'core',
  sort: { key: 'cpu', dir: -1 },
  hiddenColumns: [],
  showEnded: true,
  view: 'monitor',
  theme: 'system',
  window: null,
  compareForm: null,
  record: true,
}

export function defaultSettings(): Settings {
  return structuredClone(DEFAULT_SETTINGS)
}

type Check = (v: unknown) => string | null
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const oneOf =
  (name: string, allowed: readonly unknown[]): Check =>
  (v) =>
    allowed.includes(v)
      ? null
      : `${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')} (got ${echo(v)}).`
const finite = (v: unknown, min: number, max: number): boolean =>
  typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max

const CHECKS: { [K in keyof Settings]: Check } = {
  intervalMs: (v) => {
    const r = validateInterval(v)
    return r.ok && typeof v === 'number'
      ? null
      : `intervalMs must be a whole number of milliseconds from 100 to 5000 (got ${echo(v)}).`
  },
  cpuScale: oneOf('cpuScale', CPU_SCALES),
  sort: (v) =>
    isObj(v) && SORT_KEYS.includes(v.key as never) && (v.dir === 1 || v.dir === -1) && Object.keys(v).length === 2
      ? null
      : `sort must be {"key": one of ${SORT_KEYS.join(', ')}, "dir": 1 or -1}.`,
  hiddenColumns: (v) =>
    Array.isArray(v) && v.every((c) => OPTIONAL_COLUMNS.includes(c)) && new Set(v).size === v.length
      ? null
      : `hiddenColumns must be a list of distinct columns among ${OPTIONAL_COLUMNS.join(', ')}.`,
  showEnded: (v) => (typeof v === 'boolean' ? null : 'showEnded must be true or false.'),
  view: (v) =>
    typeof v === 'string' && /^[a-z][a-z-]{0,31}$/.test(v)
      ? null
      : 'view must be the name of a view, such as "monitor".',
  theme: oneOf('theme', THEMES),
  window: (v) =>
    v === null ||
    (isObj(v) &&
      (v.x === null || finite(v.x, -100_000, 100_000)) &&
      (v.y === null || finite(v.y, -100_000, 100_000)) &&
      finite(v.width, 200, 100_000) &&
      finite(v.height, 150, 100_000) &&
      typeof v.maximized === 'boolean' &&
      Object.keys(v).length === 5)
      ? null
      : 'window must be null or {"x", "y" (numbers or null), "width" (200 or more), "height" (150 or more), "maximized" (true or false)}.',
  compareForm: (v) =>
    v === null ||
    (isObj(v) &&
      typeof v.workload === 'string' &&
      v.workload.length <= 32 &&
      Array.isArray(v.strategies) &&
      v.strategies.length <= 16 &&
      v.strategies.every((s) => typeof s === 'string' && s.length <= 32) &&
      Array.isArray(v.sizes) &&
      v.sizes.length <= 16 &&
      v.sizes.every((n) => finite(n, 1, 1024)) &&
      finite(v.tasks, 0, 1e7) &&
      finite(v.repeat, 0, 1000) &&
      finite(v.taskMs, 0, 1e6) &&
      Object.keys(v).length === 6)
      ? null
      : 'compareForm must be null or {"workload", "strategies", "sizes", "tasks", "repeat", "taskMs"} as the Compare form holds them.',
  record: (v) => (typeof v === 'boolean' ? null : 'record must be true or false.'),
}

/** Checks a partial update: every key must be a setting, every value allowed. */
export function validateSettingsPatch(patch: unknown): Validation<Partial<Settings>> {
  if (!isObj(patch))
    return {
      ok: false,
      errors: [{ field: 'payload', message: 'The settings must be an object such as {"theme": "dark"}.' }],
    }
  const errors: FieldError[] = []
  for (const key of Object.keys(patch)) {
    const value = own(patch, key)
    const check = Object.hasOwn(CHECKS, key) ? CHECKS[key as keyof Settings] : undefined
    if (!check) {
      errors.push({
        field: key,
        message: `${echo(key)} is not a setting. Settings: ${Object.keys(CHECKS).join(', ')}.`,
      })
      continue
    }
    const problem = check(value)
    if (problem) errors.push({ field: key, message: problem })
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: patch as Partial<Settings> }
}

/**
 * Reads settings from a stored object: each valid value is kept, anything else falls back to its default and is
 * named in `dropped` (a file from an older or newer version, or edited by hand, still loads).
 */
export function settingsFrom(stored: Record<string, unknown>): { settings: Settings; dropped: string[] } {
  const settings = defaultSettings()
  const dropped: string[] = []
  for (const key of Object.keys(stored)) {
    const value = own(stored, key)
    const check = Object.hasOwn(CHECKS, key) ? CHECKS[key as keyof Settings] : undefined
    if (check && check(value) === null) (settings as unknown as Record<string, unknown>)[key] = structuredClone(value)
    else dropped.push(key)
  }
  return { settings, dropped }
}
