// `lab run <id>`: runs a scenario to its end, printing its log lines and a per-unit summary (or NDJSON).
import { LabError } from '../../shared/contract'
import { formatBytes, formatMs, formatPercent } from '../../shared/format'
import type { ParamSpec } from '../../shared/params'
import type { ScenarioDefinition } from '../lab/scenario-api'
import { optionsHelp, parseOptions, UsageError, type Command, type CommandContext, type OptionSpec } from './command'
import { INTERVAL_OPTION, intervalFrom, JSON_OPTION, runSession, summaryLine } from './session'
import { table } from './table'
import { lessonFor, verdictOf } from '../../shared/lessons/lessons'
import { RECORD_OPTION, recordingFrom } from './record-option'
import type { UnitSummary } from '../../shared/model'

const USAGE = 'lab run <id> [options]'

function describe(p: ParamSpec): string {
  const allowed = p.type === 'int' ? `: ${p.min} to ${p.max}` : p.type === 'bool' ? ` (--no-${p.key} turns it off)` : ''
  return `${p.label}${allowed}, default ${String(p.default)}${p.help ? `. ${p.help}` : ''}`
}

function paramOptions(def: ScenarioDefinition): OptionSpec[] {
  return def.params.map((p) => ({
    name: p.key,
    type: p.type === 'bool' ? 'boolean' : 'string',
    value: p.type === 'int' ? 'N' : p.type === 'enum' ? p.options.join('|') : undefined,
    help: describe(p),
  }))
}

/** The scenario named by the first argument that is not an option. */
function scenarioOf(argv: readonly string[], ctx: CommandContext): ScenarioDefinition | undefined {
  const [id] = argv
  if (id === undefined || id.startsWith('-')) return undefined
  const def = ctx.scenarios.find((s) => s.id === id)
  if (!def)
    throw new UsageError(`There is no scenario "${id}". Known scenarios: ${ctx.scenarios.map((s) => s.id).join(', ')}.`)
  return def
}

/** The per-unit summary `run` prints at the end (and `replay` of a run). */
export function runSummaryTable(units: readonly UnitSummary[]): string {
  return table(
    ['unit', 'kind', 'pid', 'tid', 'state', 'peak CPU', 'mean CPU', 'peak RSS', 'lock wait'],
    units.map((u) => [
      u.label,
      u.kind,
      String(u.pid),
      u.tid === null ? '-' : String(u.tid),
      u.signal ? `${u.state} (${u.signal})` : u.state,
      formatPercent(u.peakCpu),
      formatPercent(u.meanCpu),
      formatBytes(u.peakRss),
      formatMs(u.lockWaitMs),
    ]),
  )
}

export const runCommand: Command = {
  name: 'run',
  synopsis: 'lab run <id> [options]             run a scenario to its end; print its log and a summary',
  help(argv, ctx) {
    const def = argv.length > 0 ? scenarioOf(argv, ctx) : undefined
    const common = optionsHelp([INTERVAL_OPTION, JSON_OPTION, RECORD_OPTION])
    if (!def) {
      return `Usage: ${USAGE}\n\nRuns one scenario (see "lab scenarios") and prints its log and a summary per unit.\n"lab run <id> --help" lists that scenario's parameters.\n\n${common}`
    }
    const params = def.params.length > 0 ? `Parameters of ${def.id}:\n${optionsHelp(paramOptions(def), false)}\n\n` : ''
    return `Usage: lab run ${def.id} [options]\n\n${def.title}: ${def.summary}\n\n${params}Options:\n${common}`
  },
  async run(argv, ctx) {
    const def = scenarioOf(argv, ctx)
    if (!def) throw new UsageError(`Which scenario? Usage: ${USAGE}. See "lab scenarios".`)
    const { values, positionals } = parseOptions(
      argv,
      [INTERVAL_OPTION, JSON_OPTION, RECORD_OPTION, ...paramOptions(def)],
      {
        positionals: true,
      },
    )
    if (positionals.length > 1) throw new UsageError(`Unexpected argument "${positionals[1]}". Usage: ${USAGE}.`)
    const json = values.json === true
    const params: Record<string, unknown> = {}
    for (const spec of def.params) if (values[spec.key] !== undefined) params[spec.key] = values[spec.key]
    const printed: { text: string; unit: string | null }[] = []
    const outcome = await runSession({
      scenarios: ctx.scenarios,
      intervalMs: intervalFrom(values.interval),
      recording: recordingFrom(values.record),
      json,
      out: ctx.out,
      scope: 'lab',
      text: ({ logs }) =>
        logs.forEach((l) => {
          printed.push({ text: l.text, unit: l.unit })
          ctx.out(l.unit ? l.text : `# ${l.text}`)
        }),
      start: async (lab) => {
        try {
          return await lab.start({ scenario: def.id, params })
        } catch (err) {
          if (err instanceof LabError && err.code === 'invalid') {
            throw new UsageError(
              err.errors?.map((e) => e.message.replace(new RegExp(`^${e.field}\\b`), `--${e.field}`)).join(' ') ??
                err.message,
            )
          }
          throw err
        }
      },
    })
    const { info, summary } = outcome
    const ok = info.status === 'done'
    // The lesson's checks on this run (the JSON summary carries them too; its log is in the log lines).
    const verdict = verdictOf(def.id, {
      scenario: def.id,
      params: info.params,
      status: info.status,
      result: info.result,
      logs: printed,
      tasks: [],
    })
    if (json) {
      ctx.out(summaryLine(ok, outcome, { result: outcome.info.result, ...(verdict ? { verdict } : {}) }))
      return ok ? 0 : 1
    }
    ctx.out('')
    ctx.out(runSummaryTable(summary.units))
    ctx.out('')
    ctx.out(ok ? `result: ${JSON.stringify(info.result)}` : `run ${info.status}: ${info.error}`)
    if (verdict?.checks.length) {
      ctx.out('')
      ctx.out(`what to look for: ${lessonFor(def.id)?.point ?? ''}`)
      for (const c of verdict.checks)
        ctx.out(`  ${c.ok === null ? '·' : c.ok ? '✓' : '✗'} ${c.label} (expected ${c.expected}; got ${c.actual})`)
    }
    return ok ? 0 : 1
  },
}
