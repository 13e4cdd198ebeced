// `lab compare`: strategies x pool sizes on one workload, repeated; prints the table (or JSON), writes trace / CSV files.
import { writeFileSync } from 'node:fs'
import { toCsv, toJson, toTrace } from '../../shared/compare/export'
import type { CompareRequest, CompareResult, CompareRow, Spread, WorkloadParams } from '../../shared/compare/types'
import { STRATEGIES, STRATEGY_INFO, validateCompareRequest, WORKLOADS } from '../../shared/compare/types'
import { Lab } from '../lab/lab'
import { parseArgs, rejectUnknown, take, UsageError } from './args'
import { bytes, ms, table } from './format'
import type { Out } from './run-command'

export const COMPARE_USAGE = `  lab compare [options]              compare pool strategies on one workload and print the table
      --workload ${WORKLOADS.join('|')}   (default cpu)
      --strategies ${STRATEGIES.join(',')}   (default seq,thread,process,piscina)
      --sizes 1,2,4          pool sizes (default 1,2)     --tasks N (default 40)   --repeat R (default 3)
      --task-ms MS           cost of one task (cpu, io, skewed; default 20)
      --payload-bytes N  --transfer  --skew K
      --json                 print the whole result as JSON
      --trace FILE           write Chrome trace-event JSON (open it in Perfetto)
      --csv FILE             write the table as CSV
      progress goes to stderr; Ctrl-C cancels and prints what finished`

const OPTIONS = ['workload', 'strategies', 'sizes', 'tasks', 'repeat', 'task-ms', 'payload-bytes', 'transfer', 'skew', 'json', 'trace', 'csv']

function list(v: string | boolean | undefined, name: string): string[] | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`--${name} needs a comma-separated list.`)
  return v.split(',').map((s) => s.trim()).filter(Boolean)
}

function num(v: string | boolean | undefined, name: string): number | undefined {
  if (v === undefined) return undefined
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number (got ${JSON.stringify(v)}).`)
  return n
}

function file(v: string | boolean | undefined, name: string): string | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} needs a file name.`)
  return v
}

const FLAG_OF: Record<string, string> = { taskMs: 'task-ms', payloadBytes: 'payload-bytes' }

/** Reads the options into a validated request; any fault is a UsageError naming the option. */
export function compareRequestFromArgs(argv: readonly string[]): { req: CompareRequest; json: boolean; trace?: string; csv?: string } {
  const args = parseArgs(argv, new Set(['json', 'transfer']))
  if (args.positionals.length > 0) throw new UsageError(`Unexpected argument "${args.positionals[0]}". See "lab help".`)
  const params: WorkloadParams = {}
  const taskMs = num(take(args, 'task-ms'), 'task-ms')
  const payloadBytes = num(take(args, 'payload-bytes'), 'payload-bytes')
  const skew = num(take(args, 'skew'), 'skew')
  const transfer = take(args, 'transfer')
  if (taskMs !== undefined) params.taskMs = taskMs
  if (payloadBytes !== undefined) params.payloadBytes = payloadBytes
  if (skew !== undefined) params.skew = skew
  if (transfer !== undefined) params.transfer = transfer === true
  const raw = {
    workload: take(args, 'workload') ?? 'cpu',
    strategies: list(take(args, 'strategies'), 'strategies') ?? ['seq', 'thread', 'process', 'piscina'],
    sizes: list(take(args, 'sizes'), 'sizes')?.map((s) => num(s, 'sizes')) ?? [1, 2],
    tasks: num(take(args, 'tasks'), 'tasks') ?? 40,
    repeat: num(take(args, 'repeat'), 'repeat') ?? 3,
    params,
  }
  const json = take(args, 'json') === true
  const trace = file(take(args, 'trace'), 'trace')
  const csv = file(take(args, 'csv'), 'csv')
  rejectUnknown(args, OPTIONS)
  const v = validateCompareRequest(raw)
  if (!v.ok) {
    throw new UsageError(v.errors.map((e) => e.message.replace(new RegExp(`^${e.field}\\b`), `--${FLAG_OF[e.field] ?? e.field}`)).join(' '))
  }
  return { req: v.value, json, trace, csv }
}

const fixed = (v: number | null, digits = 2): string => (v === null || !Number.isFinite(v) ? '-' : v.toFixed(digits))
const range = (s: Spread): string => `${ms(s.median)} (${ms(s.min)}-${ms(s.max)})`

export function resultTable(result: CompareResult): string {
  const rows = result.rows.map((r: CompareRow) => [
    STRATEGY_INFO[r.strategy].label,
    STRATEGY_INFO[r.strategy].pooled ? String(r.size) : '-',
    range(r.wallMs),
    r.speedup === null ? '-' : `${fixed(r.speedup)}x`,
    `${Math.round(r.efficiency.median * 100)}%`,
    fixed(r.throughput.median, 0),
    ms(r.latencyP50.median),
    ms(r.latencyP95.median),
    ms(r.queueWaitP50.median),
    ms(r.startupMs.median),
    ms(r.firstResultMs?.median),
    ms(r.cpuMs?.median),
    bytes(r.peakMemBytes?.median),
    String(r.failed),
  ])
  const head = ['strategy', 'size', 'wall median (min-max)', 'speed-up', 'efficiency', 'tasks/s', 'p50', 'p95', 'queue wait', 'start-up', 'first result', 'CPU', 'peak mem', 'failed']
  return table(head, rows)
}

export async function compareCommand(argv: readonly string[], out: Out): Promise<number> {
  const { req, json, trace, csv } = compareRequestFromArgs(argv)
  const lab = new Lab({ autoStart: false })
  const off = lab.onCompareProgress((p) => {
    const what = p.strategy ? `${STRATEGY_INFO[p.strategy].label}${STRATEGY_INFO[p.strategy].pooled ? ` x${p.size}` : ''}, repeat ${p.repeat}` : ''
    process.stderr.write(p.phase === 'running' ? `[${p.done + 1}/${p.total}] ${what}\n` : `comparison ${p.phase} (${p.done}/${p.total} runs)\n`)
  })
  const cancel = (): void => void lab.cancelCompare()
  process.once('SIGINT', cancel)
  process.once('SIGTERM', cancel)
  let result: CompareResult
  try {
    result = await lab.compare(req)
  } finally {
    off()
    process.off('SIGINT', cancel)
    process.off('SIGTERM', cancel)
    await lab.close()
  }
  if (trace) writeFileSync(trace, JSON.stringify(toTrace(result)))
  if (csv) writeFileSync(csv, toCsv(result))
  if (json) out(toJson(result).trimEnd())
  else {
    out(`${req.workload}: ${result.workload.describe}; ${req.tasks} tasks, ${req.repeat} repeat(s), ${result.machine.cores} cores`)
    out('')
    out(resultTable(result))
    if (trace) out(`\ntrace: ${trace} (open it at ui.perfetto.dev)`)
    if (csv) out(`csv: ${csv}`)
    if (result.cancelled) out('\ncancelled: the table holds the runs that finished.')
  }
  return result.cancelled ? 1 : 0
}
