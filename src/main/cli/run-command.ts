// `lab run <id>`: runs a scenario to its end, printing its log lines and a per-unit summary (or NDJSON).
import type { Sample, Tick, Unit } from '../../shared/model'
import { LabError } from '../../shared/contract'
import { validateInterval, type ParamSpec } from '../../shared/params'
import { Lab } from '../lab/lab'
import { scenarios } from '../../../scenarios/index'
import { parseArgs, rejectUnknown, take, UsageError } from './args'
import { bytes, ms, percent, table } from './format'

export type Out = (line: string) => void

/** One NDJSON row per unit, merging identity with its latest sample. */
export function unitRow(u: Unit, s: Sample | undefined): Record<string, unknown> {
  return {
    id: u.id,
    kind: u.kind,
    pid: u.pid,
    tid: u.tid,
    parent: u.parent,
    label: u.label,
    state: u.state,
    cpu: s?.cpu === null || s?.cpu === undefined ? null : Math.round(s.cpu * 10) / 10,
    rss: s?.rss ?? null,
  }
}

/** `lab run <id> --help`: the scenario's summary and every option it takes, with what is allowed and the default. */
function printScenarioHelp(def: { id: string; title: string; summary: string; params: readonly ParamSpec[] }, out: Out): void {
  out(`lab run ${def.id} [options]: ${def.title}`)
  out(`  ${def.summary}`)
  out('')
  const allowed = (p: ParamSpec): string =>
    p.type === 'bool' ? `--${p.key} / --no-${p.key}` : p.type === 'enum' ? `--${p.key} ${p.options.join('|')}` : `--${p.key} ${p.min}..${p.max}`
  for (const p of def.params) out(`  ${allowed(p).padEnd(34)} ${p.label}${p.help ? `: ${p.help}` : ''} (default ${String(p.default)})`)
  out(`  ${'--json'.padEnd(34)} NDJSON: tick, log and summary lines`)
  out(`  ${'--interval 100..5000'.padEnd(34)} sampling interval in ms (default 500)`)
}

export async function runCommand(argv: readonly string[], out: Out): Promise<number> {
  const [id] = argv
  if (!id || id.startsWith('--')) throw new UsageError('Which scenario? Usage: lab run <id> [options]. See "lab scenarios".')
  const def = scenarios.find((s) => s.id === id)
  if (!def) throw new UsageError(`There is no scenario "${id}". Known scenarios: ${scenarios.map((s) => s.id).join(', ')}.`)
  if (argv.includes('--help') || argv.includes('-h')) {
    printScenarioHelp(def, out)
    return 0
  }
  const booleans = new Set(['json', ...def.params.filter((p) => p.type === 'bool').map((p) => p.key)])
  const args = parseArgs(argv.slice(1), booleans)
  const json = take(args, 'json') === true
  const intervalRaw = take(args, 'interval')
  const interval = validateInterval(intervalRaw ?? 500)
  if (!interval.ok) throw new UsageError(interval.errors[0].message.replace(/^interval/, '--interval'))
  const params: Record<string, unknown> = {}
  for (const spec of def.params) {
    const v = take(args, spec.key)
    if (v !== undefined) params[spec.key] = v
  }
  rejectUnknown(args, ['json', 'interval', ...def.params.map((p) => p.key)])

  const lab = new Lab({ scenarios, intervalMs: interval.value })
  const rows = new Map<string, Unit>()
  const labels = new Map<string, string>()
  const onTick = (tick: Tick): void => {
    for (const u of tick.units) {
      rows.set(u.id, u)
      labels.set(u.id, u.label)
    }
    if (json) {
      const samples = new Map(tick.samples.map((s) => [s.id, s]))
      const units = [...rows.values()].filter((u) => samples.has(u.id) || tick.units.some((c) => c.id === u.id))
      out(JSON.stringify({ type: 'tick', t: Math.round(tick.t), units: units.map((u) => unitRow(u, samples.get(u.id))) }))
      for (const l of tick.logs) out(JSON.stringify({ type: 'log', t: Math.round(l.t), unit: l.unit, text: l.text }))
    } else {
      for (const l of tick.logs) out(l.unit ? l.text : `# ${l.text}`)
    }
  }
  lab.onTick(onTick)

  let run
  try {
    run = await lab.start({ scenario: id, params })
  } catch (err) {
    await lab.close()
    if (err instanceof LabError && err.code === 'invalid') {
      throw new UsageError(err.errors?.map((e) => e.message.replace(new RegExp(`^${e.field}\\b`), `--${e.field}`)).join(' ') ?? err.message)
    }
    throw err
  }
  const stopOnSignal = (): void => void lab.stop({ runId: run.id })
  process.once('SIGINT', stopOnSignal)
  process.once('SIGTERM', stopOnSignal)
  const info = await lab.wait(run.id)
  await lab.flush()
  const summary = await lab.summary({ runId: run.id })
  await lab.close()
  process.off('SIGINT', stopOnSignal)
  process.off('SIGTERM', stopOnSignal)

  const ok = info.status === 'done'
  if (json) {
    out(JSON.stringify({ type: 'summary', ok, status: info.status, result: info.result, error: info.error, units: summary.units }))
  } else {
    out('')
    out(
      table(
        ['unit', 'kind', 'pid', 'tid', 'state', 'peak CPU', 'mean CPU', 'peak RSS', 'lock wait'],
        summary.units.map((u) => [
          u.label,
          u.kind,
          String(u.pid),
          u.tid === null ? '-' : String(u.tid),
          u.signal ? `${u.state} (${u.signal})` : u.state,
          percent(u.peakCpu),
          percent(u.meanCpu),
          bytes(u.peakRss),
          ms(u.lockWaitMs),
        ]),
      ),
    )
    out('')
    out(ok ? `result: ${JSON.stringify(info.result)}` : `run ${info.status}: ${info.error}`)
  }
  return ok ? 0 : 1
}
