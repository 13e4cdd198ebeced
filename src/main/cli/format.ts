// Plain-text figures and tables for the terminal.

export function percent(v: number | null | undefined): string {
  return v === null || v === undefined ? '-' : `${v.toFixed(1)}%`
}

export function bytes(v: number | null | undefined): string {
  if (v === null || v === undefined) return '-'
  if (v >= 1 << 30) return `${(v / (1 << 30)).toFixed(1)} GiB`
  if (v >= 1 << 20) return `${(v / (1 << 20)).toFixed(1)} MiB`
  if (v >= 1 << 10) return `${(v / (1 << 10)).toFixed(0)} KiB`
  return `${v} B`
}

export function ms(v: number | null | undefined): string {
  return v === null || v === undefined ? '-' : `${v.toFixed(v < 10 ? 2 : 0)} ms`
}

/** Left-aligns the first column, right-aligns the rest. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd()
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}
