// Order statistics for benchmark reports.

export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  const pos = (s.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return s[lo] + (s[hi] - s[lo]) * (pos - lo)
}

export const median = (xs: readonly number[]): number => quantile(xs, 0.5)
export const p95 = (xs: readonly number[]): number => quantile(xs, 0.95)
