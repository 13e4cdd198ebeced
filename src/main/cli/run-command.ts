// `lab run <id>`: runs a scenario to its end, printing its log lines and a per-unit summary (or NDJSON).
import type { Sample, Tick, TimeSplit, Unit } from '../../shared/model'
import { LabError } from '../../shared/contract'
import { validateInterval } from '../../shared/params'
import { Lab } from '../lab/lab'
import { scenarios } from '../../../scenarios/index'
import { parseArgs, rejectUnknown, take, UsageError } from './args'
import { bytes, ms, percent, table } from './format'

export type Out = (line: string) => void

const tenth = (v: number): number => Math.round(v * 10) / 10

/** A time split with one decimal, for NDJSON. */
export function roundTime(time: TimeSplit | null | undefined): TimeSplit | null {
  if (!time) return null
  const b = time.blockedOn
  return {
    onCpu: tenth(time.onCpu),
    runqueue: tenth(time.runqueue),
    blocked: tenth(time.blocked),
    blockedOn: { lock: tenth(b.lock), io: tenth(b.io), sleep: tenth(b.sleep), other: tenth(b.other) },
  }
}

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
    os: s?.os ?? null,
    cpu: s?.cpu === null || s?.cpu === undefined ? null : tenth(s.cpu),
    time: roundTime(s?.time),
    rss: s?.rss ?? null,
    peakRss: s?.peakRss ?? null,
  }
}

/** The parts of a tick every NDJSON tick line carries beside its units: the monitor's cost, the machine, short-lived processes. */
export function tickExtras(tick: Tick): Record<string, unknown> {
  return {
    sampler: { costMs: Math.round(tick.sampler.costMs * 100) / 100, labCpuMs: tick.sampler.labCpuMs === null ? null : Math.round(tick.sampler.labCpuMs * 100) / 100 },
    machine: { cores: tick.machine.cores.map(tenth), memTotal: tick.machine.memTotal, memUsed: tick.machine.memUsed },
    transient: tick.transient,
  }
}

export async function runCommand(argv: readonly string[], out: Out): Promise<number> {
  const [id] = argv
  if (!id || id.startsWith('--')) throw new UsageError('Which scenario? Usage: lab run <id> [options]. See "lab scenarios".')
  const def = scenarios.find((s) => s.id === id)
  if (!def) throw new UsageError(`There is no scenario "${id}". Known scenarios: ${scenarios.map((s) => s.id).join(', ')}.`)
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
      out(JSON.stringify({ type: 'tick', t: Math.round(tick.t), ...tickExtras(tick), units: units.map((u) => unitRow(u, samples.get(u.id))) }))
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
    out(JSON.stringify({ type: 'summary', ok, status: info.status, result: info.result, error: info.error, units: summary.units, transient: summary.transient }))
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
