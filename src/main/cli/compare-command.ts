// `lab compare`: strategies x pool sizes on one workload, repeated; prints the table (or JSON), writes trace / CSV files.
import { writeFileSync } from 'node:fs'
import { toCsv, toJson, toTrace } from '../../shared/compare/export'
import { formatBytes, formatMs } from '../../shared/format'
import type { CompareRequest, CompareResult, CompareRow, Spread, WorkloadParams } from '../../shared/compare/types'
import type { ModuleWorkload } from '../lab/pools/workloads'
import { STRATEGIES, STRATEGY_INFO, validateCompareRequest, WORKLOADS } from '../../shared/compare/types'
import { Lab } from '../lab/lab'
import { numberOption as num, optionsHelp, parseOptions, UsageError, type Command, type OptionSpec } from './command'
import { checkModuleTask, MODULE_OPTIONS, moduleFromArgs } from './compare-module'
import { table } from './table'

const OPTIONS: OptionSpec[] = [
  { name: 'workload', type: 'string', value: WORKLOADS.join('|'), help: 'the tasks to run (default cpu)' },
  {
    name: 'strategies',
    type: 'string',
    value: 'LIST',
    help: `comma-separated, of ${STRATEGIES.join(',')} (default seq,thread,process,piscina)`,
  },
  { name: 'sizes', type: 'string', value: '1,2,4', help: 'pool sizes (default 1,2)' },
  { name: 'tasks', type: 'string', value: 'N', help: 'tasks per run (default 40)' },
  { name: 'repeat', type: 'string', value: 'R', help: 'runs of each strategy and size (default 3)' },
  { name: 'task-ms', type: 'string', value: 'MS', help: 'cost of one task (cpu, io, skewed; default 20)' },
  { name: 'payload-bytes', type: 'string', value: 'N', help: 'bytes sent with each task (payload)' },
  { name: 'transfer', type: 'boolean', help: 'move the payload to threads instead of copying it' },
  { name: 'skew', type: 'string', value: 'K', help: 'how much longer the slowest task is (skewed)' },
  { name: 'json', type: 'boolean', help: 'print the whole result as JSON' },
  { name: 'trace', type: 'string', value: 'FILE', help: 'write Chrome trace-event JSON (open it in Perfetto)' },
  { name: 'csv', type: 'string', value: 'FILE', help: 'write the table as CSV' },
  ...MODULE_OPTIONS,
]

function list(v: string | boolean | undefined, name: string): string[] | undefined {
  if (typeof v !== 'string') return undefined
  if (v.trim() === '') throw new UsageError(`--${name} needs a comma-separated list.`)
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

const text = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined)

const FLAG_OF: Record<string, string> = { taskMs: 'task-ms', payloadBytes: 'payload-bytes' }

/** Reads the options into a validated request; any fault is a UsageError naming the option. */
export function compareRequestFromArgs(argv: readonly string[]): {
  req: CompareRequest
  json: boolean
  trace?: string
  csv?: string
  module?: ModuleWorkload
} {
  const { values } = parseOptions(argv, OPTIONS)
  const params: WorkloadParams = {}
  const taskMs = num(values['task-ms'], 'task-ms')
  const payloadBytes = num(values['payload-bytes'], 'payload-bytes')
  const skew = num(values.skew, 'skew')
  const transfer = values.transfer
  if (taskMs !== undefined) params.taskMs = taskMs
  if (payloadBytes !== undefined) params.payloadBytes = payloadBytes
  if (skew !== undefined) params.skew = skew
  if (transfer !== undefined) params.transfer = transfer === true
  const raw = {
    workload: values.workload ?? 'cpu',
    strategies: list(values.strategies, 'strategies') ?? ['seq', 'thread', 'process', 'piscina'],
    sizes: list(values.sizes, 'sizes')?.map((s) => num(s, 'sizes')) ?? [1, 2],
    tasks: num(values.tasks, 'tasks') ?? 40,
    repeat: num(values.repeat, 'repeat') ?? 3,
    params,
  }
  const module = moduleFromArgs(values, raw.tasks)
  // A user's function replaces the workload: its tasks are its inputs, their cost unknown to the lab's limits.
  if (module) Object.assign(raw, { workload: 'trivial', tasks: module.inputs.length })
  const json = values.json === true
  const trace = text(values.trace)
  const csv = text(values.csv)
  const v = validateCompareRequest(raw)
  if (!v.ok) {
    throw new UsageError(
      v.errors
        .map((e) => e.message.replace(new RegExp(`^${e.field}\\b`), `--${FLAG_OF[e.field] ?? e.field}`))
        .join(' '),
    )
  }
  return { req: v.value, json, trace, csv, ...(module ? { module } : {}) }
}

const fixed = (v: number | null, digits = 2): string => (v === null || !Number.isFinite(v) ? '-' : v.toFixed(digits))
const range = (s: Spread): string => `${formatMs(s.median)} (${formatMs(s.min)}-${formatMs(s.max)})`

export function resultTable(result: CompareResult): string {
  const rows = result.rows.map((r: CompareRow) => [
    STRATEGY_INFO[r.strategy].label,
    STRATEGY_INFO[r.strategy].pooled ? String(r.size) : '-',
    range(r.wallMs),
    r.speedup === null ? '-' : `${fixed(r.speedup)}x`,
    r.speedupWithStartup === null ? '-' : `${fixed(r.speedupWithStartup)}x`,
    `${Math.round(r.efficiency.median * 100)}%`,
    fixed(r.throughput.median, 0),
    formatMs(r.latencyP50.median),
    formatMs(r.latencyP95.median),
    formatMs(r.queueWaitP50.median),
    formatMs(r.startupMs.median),
    formatMs(r.firstResultMs?.median),
    formatMs(r.cpuMs?.median),
    formatBytes(r.peakMemBytes?.median),
    String(r.failed),
  ])
  const head = [
    'strategy',
    'size',
    'wall median (min-max)',
    'speed-up (pool up)',
    'end to end',
    'efficiency',
    'tasks/s',
    'p50',
    'p95',
    'queue wait',
    'start-up',
    'first result',
    'CPU',
    'peak mem',
    'failed',
  ]
  const legend =
    'speed-up (pool up): sequential wall / wall from the first submit, the pool already started; end to end: the same with the pool start-up included.'
  return `${table(head, rows)}\n${legend}`
}

export const compareCommand: Command = {
  name: 'compare',
  synopsis: 'lab compare [options]              compare pool strategies on one workload and print the table',
  help: () =>
    `Usage: lab compare [options]\n\nRuns every strategy x pool size on one workload, repeated (the sequential baseline always runs), and prints\nwall time, speed-up, efficiency, tasks/s, latency, start-up, CPU and memory per strategy. With --module FILE\n--task NAME --args JSON, your own function runs instead of a workload.\nProgress goes to stderr; Ctrl-C cancels and prints what finished.\n\n${optionsHelp(OPTIONS)}`,
  run: (argv, ctx) => compare(argv, ctx.out),
}

async function compare(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const { req, json, trace, csv, module } = compareRequestFromArgs(argv)
  if (module) await checkModuleTask(module)
  const lab = new Lab({ autoStart: false })
  const off = lab.onCompareProgress((p) => {
    const what = p.strategy
      ? `${STRATEGY_INFO[p.strategy].label}${STRATEGY_INFO[p.strategy].pooled ? ` x${p.size}` : ''}, repeat ${p.repeat}`
      : ''
    process.stderr.write(
      p.phase === 'running'
        ? `[${p.done + 1}/${p.total}] ${what}\n`
        : `comparison ${p.phase} (${p.done}/${p.total} runs)\n`,
    )
  })
  const cancel = (): void => void lab.cancelCompare()
  process.once('SIGINT', cancel)
  process.once('SIGTERM', cancel)
  let result: CompareResult
  try {
    result = await lab.compare(req, module)
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
    out(
      `${module ? 'your function' : req.workload}: ${result.workload.describe}; ${req.tasks} tasks, ${req.repeat} repeat(s), ${result.machine.cores} cores`,
    )
    out('')
    out(resultTable(result))
    if (trace) out(`\ntrace: ${trace} (open it at ui.perfetto.dev)`)
    if (csv) out(`csv: ${csv}`)
    if (result.cancelled) out('\ncancelled: the table holds the runs that finished.')
  }
  return result.cancelled ? 1 : 0
}
