// Exports of a comparison: JSON results, a CSV table, and Chrome trace-event JSON that Perfetto and chrome://tracing open.
import type { CompareResult, CompareRow, CompareTrace, Spread } from './types'
import { STRATEGY_INFO } from './types'

export function toJson(result: CompareResult): string {
  return JSON.stringify(result, null, 2) + '\n'
}

export const CSV_COLUMNS = [
  'strategy',
  'label',
  'size',
  'runs',
  'wall_ms_median',
  'wall_ms_min',
  'wall_ms_max',
  'speedup',
  'speedup_with_startup',
  'efficiency',
  'tasks_per_s',
  'latency_p50_ms',
  'latency_p95_ms',
  'queue_wait_p50_ms',
  'startup_ms',
  'first_result_ms',
  'cpu_ms',
  'peak_mem_bytes',
  'failed',
] as const

function csvCell(v: string | number | null): string {
  if (v === null || (typeof v === 'number' && !Number.isFinite(v))) return ''
  const s = typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : v
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

const med = (s: Spread | null): number | null => s?.median ?? null

export function csvRow(r: CompareRow): (string | number | null)[] {
  return [
    r.strategy,
    STRATEGY_INFO[r.strategy].label,
    r.size,
    r.runs,
    r.wallMs.median,
    r.wallMs.min,
    r.wallMs.max,
    r.speedup,
    r.speedupWithStartup,
    r.efficiency.median,
    r.throughput.median,
    r.latencyP50.median,
    r.latencyP95.median,
    r.queueWaitP50.median,
    r.startupMs.median,
    med(r.firstResultMs),
    med(r.cpuMs),
    med(r.peakMemBytes),
    r.failed,
  ]
}

/** One line per strategy x size, medians over the repeats (the wall time also with its min and max). */
export function toCsv(result: CompareResult): string {
  return [CSV_COLUMNS.join(','), ...result.rows.map((r) => csvRow(r).map(csvCell).join(','))].join('\n') + '\n'
}

export interface TraceEvent {
  name: string
  ph: string
  pid: number
  tid?: number
  ts?: number
  dur?: number
  tts?: number
  tdur?: number
  cat?: string
  id?: string
  s?: string
  args?: Record<string, unknown>
}

const us = (ms: number): number => Math.round(ms * 1000 * 10) / 10

/** True when some task on a lane starts before the previous one ended (the async strategy): X events would collide. */
function overlaps(trace: CompareTrace, lane: number): boolean {
  const spans = trace.tasks.filter((t) => t.lane === lane).sort((a, b) => a.startedAt - b.startedAt)
  return spans.some((t, i) => i > 0 && t.startedAt < spans[i - 1].endedAt - 1e-9)
}

function traceEvents(trace: CompareTrace, pid: number): TraceEvent[] {
  const name = `${STRATEGY_INFO[trace.strategy].label}${STRATEGY_INFO[trace.strategy].pooled ? ` x${trace.size}` : ''}`
  const out: TraceEvent[] = [
    {
      name: 'process_name',
      ph: 'M',
      pid,
      args: { name: `${name} (repeat ${trace.repeat}, ${trace.wallMs.toFixed(1)} ms)` },
    },
    { name: 'process_sort_index', ph: 'M', pid, args: { sort_index: pid } },
  ]
  trace.lanes.forEach((lane, i) => {
    const ids = lane.tid === null ? `pid ${lane.pid}` : `pid ${lane.pid}, tid ${lane.tid}`
    out.push({ name: 'thread_name', ph: 'M', pid, tid: i + 1, args: { name: `${lane.label} (${ids})` } })
  })
  const asyncLanes = new Set(trace.lanes.map((_, i) => i).filter((i) => overlaps(trace, i)))
  // A thread clock per lane for tts: the CPU its earlier tasks used (tdur is read against it).
  const threadClock = new Map<number, number>()
  for (const t of [...trace.tasks].sort((a, b) => a.startedAt - b.startedAt)) {
    const tid = t.lane + 1
    const args = { task: t.id, ok: t.ok, queueWaitMs: Math.max(0, t.startedAt - t.submittedAt), cpuMs: t.cpuMs }
    const label = t.ok ? `task ${t.id}` : `task ${t.id} (failed)`
    if (asyncLanes.has(t.lane)) {
      const id = `${pid}.${t.id}`
      out.push({ name: label, cat: 'task', ph: 'b', id, pid, tid, ts: us(t.startedAt), args })
      out.push({ name: label, cat: 'task', ph: 'e', id, pid, tid, ts: us(t.endedAt) })
    } else {
      const x: TraceEvent = {
        name: label,
        cat: 'task',
        ph: 'X',
        pid,
        tid,
        ts: us(t.startedAt),
        dur: Math.max(0, us(t.endedAt - t.startedAt)),
        args,
      }
      if (t.cpuMs !== null) {
        const before = threadClock.get(t.lane) ?? 0
        x.tts = us(before)
        x.tdur = Math.max(0, us(t.cpuMs))
        threadClock.set(t.lane, before + Math.max(0, t.cpuMs))
      }
      out.push(x)
    }
    // Queue waits overlap each other: async pairs, never X events.
    if (t.startedAt > t.submittedAt) {
      const id = `${pid}.q${t.id}`
      out.push({ name: 'queued', cat: 'queue', ph: 'b', id, pid, tid, ts: us(t.submittedAt) })
      out.push({ name: 'queued', cat: 'queue', ph: 'e', id, pid, tid, ts: us(t.startedAt) })
    }
  }
  for (const series of trace.cpu) {
    const lane = trace.lanes[series.lane]
    const counter = `${lane?.label ?? `lane ${series.lane + 1}`} CPU %`
    series.values.forEach((v, b) =>
      out.push({ name: counter, ph: 'C', pid, ts: us(b * series.binMs), args: { cpu: v } }),
    )
    out.push({ name: counter, ph: 'C', pid, ts: us(series.values.length * series.binMs), args: { cpu: 0 } })
  }
  return out
}

/** Chrome trace-event JSON: one trace process per strategy x size, a thread per worker, all starting at ts 0. */
export function toTrace(result: CompareResult): { traceEvents: TraceEvent[]; metadata: Record<string, unknown> } {
  return {
    traceEvents: result.traces.flatMap((t, i) => traceEvents(t, i + 1)),
    metadata: {
      source: 'Parallel Lab comparison',
      workload: result.request.workload,
      describe: result.workload.describe,
      startedAt: result.startedAt,
      machine: result.machine,
    },
  }
}
