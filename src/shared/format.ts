// How numbers read, in the window and on the command line alike: CPU %, bytes, durations. Fixed decimals so widths
// hold still; a missing figure is an en dash.

export type CpuScale = 'core' | 'machine'

/** null = first sample, no delta yet: shown as "…" (warming up), never 0%. */
export function formatCpu(cpu: number | null | undefined, scale: CpuScale, cores: number): string {
  if (cpu == null || !Number.isFinite(cpu)) return '…'
  const v = scale === 'machine' ? cpu / Math.max(1, cores) : cpu
  return `${v.toFixed(1)}%`
}

/** A plain percentage (peak or mean CPU of a summary, an efficiency): one decimal. */
export function formatPercent(v: number | null | undefined): string {
  return v == null || !Number.isFinite(v) ? '–' : `${v.toFixed(1)}%`
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null || !Number.isFinite(bytes)) return '–'
  const mib = bytes / (1024 * 1024)
  if (mib >= 1024) return `${(mib / 1024).toFixed(2)} GiB`
  if (mib >= 1) return `${mib.toFixed(1)} MiB`
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KiB`
  return `${bytes} B`
}

/** 0:04.2, 12:30.0, 1:02:03 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–'
  const s = ms / 1000
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  if (h > 0) return `${h}:${String(m).padStart(2, '0')}:${String(Math.floor(sec)).padStart(2, '0')}`
  return `${m}:${sec.toFixed(1).padStart(4, '0')}`
}

/** Whole seconds, as task managers show running time: 0:04, 12:30, 1:02:03. Changes once a second, not every tick. */
export function formatClock(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–'
  const s = Math.floor(ms / 1000)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`
}

export function formatMs(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '–'
  return ms < 10 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`
}

/** "counters / khanh" -> "khanh": the role without its scenario, where the scenario is already on screen. */
export function shortLabel(label: string): string {
  return label.replace(/^[^/]+\/\s*/, '')
}

/**
 * What a unit's memory chart shows. Only the lab's own worker threads report a V8 heap; a thread of a watched program
 * (a Python thread) shares its process's memory, which is what its chart shows.
 */
export function memoryTitle(unit: { kind: string; spawned: boolean }): string {
  if (unit.kind !== 'thread') return 'Memory (resident)'
  return unit.spawned ? 'Memory (V8 heap)' : 'Memory (its process, resident: threads share it)'
}

/**
 * JSON for people: two-space indents, but a list of plain values on one line ("[16, 0, 1, 4]") as the tutorial prints
 * it, and floats rounded to 3 decimals.
 */
export function compactJson(value: unknown, indent = ''): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(3)))
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object'))
      return `[${value.map((v) => compactJson(v)).join(', ')}]`
    const inner = indent + '  '
    return `[\n${value.map((v) => inner + compactJson(v, inner)).join(',\n')}\n${indent}]`
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
    if (entries.length === 0) return '{}'
    const inner = indent + '  '
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${compactJson(v, inner)}`).join(',\n')}\n${indent}}`
  }
  return JSON.stringify(value) ?? String(value)
}
