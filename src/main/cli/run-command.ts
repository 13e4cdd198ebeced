// `lab run <id>`: runs a scenario to its end, printing its log lines and a per-unit summary (or NDJSON).
import type { LogLine, Sample, Tick, Unit, UnitSummary } from '../../shared/model'
import { LabError } from '../../shared/contract'
import { validateInterval } from '../../shared/params'
import { Lab } from '../lab/lab'
import { scenarios } from '../../../scenarios/index'
import { parseArgs, rejectUnknown, take, UsageError } from './args'
import { RECORD_OPTIONS, recordingOption } from './record-option'
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

/** A tick as NDJSON: one `tick` line with every unit that was sampled or changed, then its `log` lines. */
export function printJsonTick(out: Out, tick: Tick, rows: Iterable<Unit>, samples: ReadonlyMap<string, Sample>, logs: readonly LogLine[]): void {
  const changed = new Set(tick.units.map((u) => u.id))
  const units = [...rows].filter((u) => samples.has(u.id) || changed.has(u.id))
  out(JSON.stringify({ type: 'tick', t: Math.round(tick.t), units: units.map((u) => unitRow(u, samples.get(u.id))) }))
  for (const l of logs) out(JSON.stringify({ type: 'log', t: Math.round(l.t), unit: l.unit, text: l.text }))
}

/** The per-unit summary `run` prints at the end. */
export function runSummaryTable(units: readonly UnitSummary[]): string {
  return table(
    ['unit', 'kind', 'pid', 'tid', 'state', 'peak CPU', 'mean CPU', 'peak RSS', 'lock wait'],
    units.map((u) => [
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
  )
}

export async function runCommand(argv: readonly string[], out: Out): Promise<number> {
  const [id] = argv
  if (!id || id.startsWith('--')) throw new UsageError('Which scenario? Usage: lab run <id> [options]. See "lab scenarios".')
  const def = scenarios.find((s) => s.id === id)
  if (!def) throw new UsageError(`There is no scenario "${id}". Known scenarios: ${scenarios.map((s) => s.id).join(', ')}.`)
  const booleans = new Set(['json', 'no-record', ...def.params.filter((p) => p.type === 'bool').map((p) => p.key)])
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
  const recording = recordingOption(args)
  rejectUnknown(args, ['json', 'interval', ...RECORD_OPTIONS, ...def.params.map((p) => p.key)])

  const lab = new Lab({ scenarios, intervalMs: interval.value, recording })
  const rows = new Map<string, Unit>()
  const labels = new Map<string, string>()
  const onTick = (tick: Tick): void => {
    for (const u of tick.units) {
      rows.set(u.id, u)
      labels.set(u.id, u.label)
    }
    if (json) {
      printJsonTick(out, tick, rows.values(), new Map(tick.samples.map((s) => [s.id, s])), tick.logs)
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
    out(runSummaryTable(summary.units))
    out('')
    out(ok ? `result: ${JSON.stringify(info.result)}` : `run ${info.status}: ${info.error}`)
  }
  return ok ? 0 : 1
}
