// What a lesson's run is checked on, the shape of one check, and the list formatting the tutorial uses.
import type { RunStatus, TaskEvent } from '../model'

/** Everything a verdict reads: the run's parameters and result, its log (unit short labels) and pool task events. */
export interface LessonRun {
  scenario: string
  params: Record<string, unknown>
  status: RunStatus
  result: unknown
  logs: readonly { text: string; unit: string | null }[]
  tasks: readonly TaskEvent[]
}

/** One statement checked on the run: what the lesson expects, what happened. ok null = shown, not judged. */
export interface Check {
  label: string
  expected: string
  actual: string
  ok: boolean | null
}

/** "What do you expect?" before Start; the verdict answers it from the run. */
export interface Prediction {
  question: string
  options: readonly string[]
  /** The option the run actually showed, or null when the run cannot tell. */
  answer(run: LessonRun): string | null
}

export interface Lesson {
  /** The point, in one or two sentences: what to look for. */
  point: string
  /** Where this lesson departs from the classic tutorial, and why. */
  departs: string
  predict?: Prediction
  check(run: LessonRun): Check[]
}

/** A list as the tutorial prints it, on one line: "16, 0, 1, 4"; long lists end in "… (20 items)". */
export function oneLine(list: readonly unknown[], max = 12): string {
  const shown = list.slice(0, max).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
  return list.length > max ? `${shown.join(', ')}, … (${list.length} items)` : shown.join(', ')
}

/** Rounded for people: 78.17688 -> "78.2", 0.0123 -> "0.012". */
export function round(n: number): string {
  if (!Number.isFinite(n)) return String(n)
  const abs = Math.abs(n)
  const digits = abs >= 100 ? 0 : abs >= 1 ? 1 : 3
  return String(Number(n.toFixed(digits)))
}

export const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
export const nums = (v: unknown): number[] =>
  Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : []

export function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

/** A check with a verdict. */
export function judged(label: string, expected: string, actual: string, ok: boolean): Check {
  return { label, expected, actual, ok }
}

/** A figure shown beside the checks without a verdict. */
export function shown(label: string, actual: string, expected = '—'): Check {
  return { label, expected, actual, ok: null }
}

/** The check a prediction makes: the option chosen against the one the run showed. */
export function predictionCheck(p: Prediction, chosen: string, run: LessonRun): Check {
  const actual = p.answer(run)
  return {
    label: `your prediction: ${chosen}`,
    expected: chosen,
    actual: actual ?? 'the run cannot tell',
    ok: actual === null ? null : actual === chosen,
  }
}
