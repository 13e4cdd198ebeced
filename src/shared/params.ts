// Scenario parameter schemas and their validation: one place for CLI, IPC and the renderer's forms.
import { echo, own } from './bounds'

export type ParamSpec =
  | { key: string; label: string; type: 'int'; min: number; max: number; default: number; help?: string }
  | { key: string; label: string; type: 'enum'; options: readonly string[]; default: string; help?: string }
  | { key: string; label: string; type: 'bool'; default: boolean; help?: string; live?: boolean }

export type ParamValues = Record<string, number | string | boolean>

export interface FieldError {
  field: string
  message: string
}

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] }

export const modeParam = {
  key: 'mode',
  label: 'Mode',
  type: 'enum',
  options: ['thread', 'process'],
  default: 'thread',
  help: 'Run the units as worker threads or as child processes.',
} as const satisfies ParamSpec

export function workersParam(def: number, max = 64): ParamSpec {
  return {
    key: 'workers',
    label: 'Workers',
    type: 'int',
    min: 1,
    max,
    default: def,
    help: `Units to run, 1 to ${max}.`,
  }
}

export const lockParam = {
  key: 'lock',
  label: 'Lock',
  type: 'bool',
  default: false,
  live: true,
  help: 'Each unit holds the lock for its whole count. Can be flipped while units run.',
} as const satisfies ParamSpec

export const sharedParam = {
  key: 'shared',
  label: 'Shared memory',
  type: 'bool',
  default: false,
  help: 'Share one array between units instead of giving each a copy.',
} as const satisfies ParamSpec

/** The queue lessons: the second consumer's first take waits this long. */
export const STAGGER_PARAM = {
  key: 'stagger',
  label: 'Second starts after (ms)',
  type: 'int',
  min: 0,
  max: 10_000,
  default: 0,
  help: 'The second consumer waits this long before its first take: longer than the first one needs for its share, and there are no turns.',
} as const satisfies ParamSpec

export function defaults(specs: readonly ParamSpec[]): ParamValues {
  return Object.fromEntries(specs.map((s) => [s.key, s.default]))
}

function describe(spec: ParamSpec): string {
  if (spec.type === 'int') return `a whole number from ${spec.min} to ${spec.max}`
  if (spec.type === 'enum') return `one of ${spec.options.join(', ')}`
  return 'true or false'
}

function coerce(spec: ParamSpec, raw: unknown): number | string | boolean | undefined {
  if (spec.type === 'int') {
    const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw
    return typeof n === 'number' && Number.isInteger(n) && n >= spec.min && n <= spec.max ? n : undefined
  }
  if (spec.type === 'enum') return typeof raw === 'string' && spec.options.includes(raw) ? raw : undefined
  if (raw === 'true') return true
  if (raw === 'false') return false
  return typeof raw === 'boolean' ? raw : undefined
}

/** Fills defaults, coerces CLI strings, and names every field that is wrong or unknown. */
export function validateParams(specs: readonly ParamSpec[], input: unknown): Validation<ParamValues> {
  if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    return { ok: false, errors: [{ field: 'params', message: 'params must be an object of named values.' }] }
  }
  const given = (input ?? {}) as Record<string, unknown>
  const errors: FieldError[] = []
  const value: ParamValues = {}
  for (const spec of specs) {
    const raw = own(given, spec.key)
    if (raw === undefined) {
      value[spec.key] = spec.default
      continue
    }
    const v = coerce(spec, raw)
    if (v === undefined) {
      errors.push({ field: spec.key, message: `${spec.key} must be ${describe(spec)} (got ${echo(raw)}).` })
    } else value[spec.key] = v
  }
  for (const key of Object.keys(given)) {
    if (!specs.some((s) => s.key === key)) {
      const known = specs.map((s) => s.key).join(', ') || 'none'
      errors.push({ field: key, message: `${echo(key)} is not a parameter of this scenario (known: ${known}).` })
    }
  }
  return errors.length ? { ok: false, errors } : { ok: true, value }
}

export const INTERVAL_MIN_MS = 100
export const INTERVAL_MAX_MS = 5000
export const INTERVAL_DEFAULT_MS = 500

export function validateInterval(ms: unknown): Validation<number> {
  const n = typeof ms === 'string' && ms.trim() !== '' ? Number(ms) : ms
  if (typeof n === 'number' && Number.isInteger(n) && n >= INTERVAL_MIN_MS && n <= INTERVAL_MAX_MS) {
    return { ok: true, value: n }
  }
  return {
    ok: false,
    errors: [
      {
        field: 'interval',
        message: `interval must be a whole number of milliseconds from ${INTERVAL_MIN_MS} to ${INTERVAL_MAX_MS} (got ${echo(ms)}).`,
      },
    ],
  }
}
