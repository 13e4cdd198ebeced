// Figures of a comparison: percentiles of task timings, and the median and spread of a metric over repeats.
import type { Spread } from '../../../shared/compare/types'

/** Linear-interpolated quantile (q from 0 to 1); NaN for no data. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const at = (sorted.length - 1) * q
  const below = Math.floor(at)
  return sorted[below] + (sorted[Math.ceil(at)] - sorted[below]) * (at - below)
}

export function spread(values: readonly number[]): Spread {
  return { median: percentile(values, 0.5), min: Math.min(...values), max: Math.max(...values) }
}

/** Spread of the values that exist, or null when none does. */
export function spreadOf(values: readonly (number | null)[]): Spread | null {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v))
  return known.length > 0 ? spread(known) : null
}
