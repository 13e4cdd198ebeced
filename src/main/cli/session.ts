// One run on the command line, whatever started it (`run`, `watch`): a lab at the chosen interval, NDJSON or text per
// tick, Ctrl-C / SIGTERM / --duration stop the run, then wait -> flush -> summary -> close, with the signals let go.
import { mapTimeSplit } from '../../shared/model'
import type { LogLine, RunInfo, RunSummary, Sample, Tick, TimeSplit, TransientStats, Unit } from '../../shared/model'
import { validateInterval } from '../../shared/params'
import { Lab } from '../lab/lab'
import type { ScenarioDefinition } from '../lab/scenario-api'
import type { RecordingOptions } from '../lab/recording/session-recorder'
import { UsageError, type OptionSpec, type Out } from './command'

export const INTERVAL_OPTION: OptionSpec = {
  name: 'interval',
  type: 'string',
  value: 'MS',
  help: 'sampling interval, 100 to 5000 (default 500)',
}
export const JSON_OPTION: OptionSpec = {
  name: 'json',
  type: 'boolean',
  help: 'NDJSON: tick, log and summary objects, one per line',
}

/** `--interval MS` as the lab allows it (default 500). */
export function intervalFrom(raw: string | boolean | undefined): number {
  const interval = validateInterval(raw ?? 500)
  if (!interval.ok) throw new UsageError(interval.errors[0].message.replace(/^interval/, '--interval'))
  return interval.value
}

const tenth = (v: number): number => Math.round(v * 10) / 10
const hundredth = (v: number): number => Math.round(v * 100) / 100

/** A time split with one decimal, for NDJSON. */
export function roundTime(time: TimeSplit | null | undefined): TimeSplit | null {
  return time ? mapTimeSplit(time, tenth) : null
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

/** Short-lived processes of a tick under the units in view only, totals to match. */
function transientIn(t: TransientStats, inView: (unit: string) => boolean): TransientStats {
  const parents = t.parents.filter((p) => inView(p.unit))
  return {
    processes: parents.reduce((a, p) => a + p.processes, 0),
    cpuMs: parents.reduce((a, p) => a + p.cpuMs, 0),
    parents,
  }
}

/** What an NDJSON tick line carries beside its units: the monitor's cost, the machine, short-lived processes. */
export function tickExtras(tick: Tick, inView: (unit: string) => boolean = () => true): Record<string, unknown> {
  const { costMs, labCpuMs } = tick.sampler
  return {
    sampler: { costMs: hundredth(costMs), labCpuMs: labCpuMs === null ? null : hundredth(labCpuMs) },
    machine: { cores: tick.machine.cores.map(tenth), memTotal: tick.machine.memTotal, memUsed: tick.machine.memUsed },
    transient: transientIn(tick.transient, inView),
  }
}

/** A tick as NDJSON: one `tick` line with every unit that was sampled or changed, then its `log` lines. */
export function printJsonTick(out: Out, { tick, rows, samples, logs }: TickView): void {
  const changed = new Set(tick.units.map((u) => u.id))
  const units = [...rows.values()].filter((u) => samples.has(u.id) || changed.has(u.id))
  const extras = tickExtras(tick, (id) => rows.has(id))
  out(
    JSON.stringify({
      type: 'tick',
      t: Math.round(tick.t),
      ...extras,
      units: units.map((u) => unitRow(u, samples.get(u.id))),
    }),
  )
  for (const l of logs) out(JSON.stringify({ type: 'log', t: Math.round(l.t), unit: l.unit, text: l.text }))
}

/** What a tick shows, within the session's scope. */
export interface TickView {
  tick: Tick
  /** Every unit seen so far, latest identity. */
  rows: ReadonlyMap<string, Unit>
  samples: ReadonlyMap<string, Sample>
  logs: readonly LogLine[]
}

export interface SessionOptions {
  scenarios?: readonly ScenarioDefinition[]
  intervalMs: number
  json: boolean
  out: Out
  /** Units and logs shown: the run's only (a watched program), or every unit of the lab (a scenario, with the lab itself). */
  scope: 'run' | 'lab'
  /** Starts the run; the tick listener is already attached. */
  start(lab: Lab): Promise<RunInfo>
  /** Text mode: prints one tick. */
  text(view: TickView): void
  /** Seconds after which the run is stopped (its whole tree ended). */
  durationS?: number | null
  /** Where the session is recorded (default: the sessions folder). */
  recording?: RecordingOptions
}

export interface SessionOutcome {
  info: RunInfo
  summary: RunSummary
  stoppedByDuration: boolean
}

export async function runSession(opts: SessionOptions): Promise<SessionOutcome> {
  const { out, json } = opts
  const lab = new Lab({ scenarios: opts.scenarios, intervalMs: opts.intervalMs, recording: opts.recording })
  const rows = new Map<string, Unit>()
  let runId: string | null = null
  const inScope = (unitRunId: string | null): boolean =>
    opts.scope === 'lab' || (unitRunId !== null && unitRunId === runId)
  lab.onTick((tick) => {
    for (const u of tick.units) if (inScope(u.runId)) rows.set(u.id, u)
    const samples = new Map(tick.samples.map((s) => [s.id, s]))
    const logs = tick.logs.filter((l) => inScope(l.runId))
    if (!json) return opts.text({ tick, rows, samples, logs })
    printJsonTick(out, { tick, rows, samples, logs })
  })

  let run: RunInfo
  try {
    run = await opts.start(lab)
  } catch (err) {
    await lab.close()
    throw err
  }
  runId = run.id
  let stoppedByDuration = false
  const stop = (): void => void lab.stop({ runId: run.id })
  const timer =
    opts.durationS == null
      ? null
      : setTimeout(() => {
          stoppedByDuration = true
          stop()
        }, opts.durationS * 1000)
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  try {
    const info = await lab.wait(run.id)
    await lab.flush()
    const summary = await lab.summary({ runId: run.id })
    return { info, summary, stoppedByDuration: stoppedByDuration && info.status === 'stopped' }
  } finally {
    if (timer) clearTimeout(timer)
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    await lab.close()
  }
}

/** The last NDJSON line of a session: its outcome, what the command adds (`extra`), and the per-unit summary. */
export function summaryLine(
  ok: boolean,
  outcome: Pick<SessionOutcome, 'info' | 'summary'>,
  extra: Record<string, unknown>,
): string {
  const { info, summary } = outcome
  const { units, transient } = summary
  return JSON.stringify({ type: 'summary', ok, status: info.status, ...extra, error: info.error, units, transient })
}
