// `lab sessions`, `lab replay FILE`, `lab export FILE`: the recorded sessions, printed as run/watch did or converted.
import { existsSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { RunSummary, Sample, Tick, Unit } from '../../shared/model'
import { FILE_EXTENSION, type StartedItem } from '../../shared/recording/format'
import { checkTrace } from '../../shared/compare/trace-schema'
import { recordingToCsv, recordingToTrace } from '../lab/recording/export'
import { RecordingError, RecordingReader } from '../lab/recording/reader'
import { listSessions, sessionsDir } from '../lab/recording/sessions-dir'
import { parseArgs, rejectUnknown, take, UsageError } from './args'
import { bytes, percent, table } from './format'
import { printJsonTick, runSummaryTable, type Out } from './run-command'
import { watchSummaryTable, watchTickTable } from './watch-command'

export const SESSIONS_USAGE = `  lab sessions [--json]             list recorded sessions (folder: $PARALLEL_LAB_SESSIONS_DIR or the user's data folder)
  lab replay FILE [--json] [--speed K | --fast]
                                     print a recording as run/watch printed it (--speed 4 = four times as fast)
  lab export FILE --trace OUT.json | --csv OUT.csv
                                     a Perfetto trace (ui.perfetto.dev opens it) or a CSV of every sample
      FILE is a path, or a name from "lab sessions"`

const SPEED_MAX = 1000

function duration(ms: number): string {
  const s = Math.round(ms / 1000)
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${(ms / 1000).toFixed(1)}s`
}

export function sessionsCommand(argv: readonly string[], out: Out): number {
  const args = parseArgs(argv, new Set(['json']))
  const json = take(args, 'json') === true
  rejectUnknown(args, ['json'])
  if (args.positionals.length > 0) throw new UsageError(`lab sessions takes no arguments (got "${args.positionals[0]}").`)
  const list = listSessions()
  if (json) {
    for (const s of list) out(JSON.stringify({ type: 'session', ...s }))
    return 0
  }
  if (list.length === 0) {
    out(`No recorded sessions in ${sessionsDir()}.`)
    return 0
  }
  out(
    table(
      ['name', 'what ran', 'started', 'duration', 'peak CPU', 'size', 'note'],
      list.map((s) => [s.name, s.what || '-', s.startedAt.replace('T', ' ').slice(0, 19), duration(s.durationMs), percent(s.peakCpu), bytes(s.bytes), s.problem ? (s.complete ? s.problem : 'unfinished') : '']),
    ),
  )
  out(`${list.length} session${list.length === 1 ? '' : 's'} in ${sessionsDir()}`)
  return 0
}

/** A path, or a bare name from the sessions folder. */
function resolveRecording(file: string | undefined, usage: string): string {
  if (!file) throw new UsageError(`Which recording? Usage: ${usage}`)
  if (existsSync(file)) return resolve(file)
  const inFolder = join(sessionsDir(), file)
  if (!file.includes('/') && existsSync(inFolder)) return inFolder
  if (!file.includes('/') && existsSync(inFolder + FILE_EXTENSION)) return inFolder + FILE_EXTENSION
  throw new UsageError(`There is no recording "${file}" (neither a file nor a name in ${sessionsDir()}).`)
}

function openOrExplain(path: string): RecordingReader {
  try {
    const r = RecordingReader.open(path)
    if (r.problem && !r.complete) process.stderr.write(`lab: ${r.problem}\n`)
    return r
  } catch (err) {
    if (err instanceof RecordingError) throw new UsageError(err.message)
    throw err
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export async function replayCommand(argv: readonly string[], out: Out): Promise<number> {
  const args = parseArgs(argv, new Set(['json', 'fast']))
  const json = take(args, 'json') === true
  const fast = take(args, 'fast') === true
  const speedRaw = take(args, 'speed')
  rejectUnknown(args, ['json', 'speed', 'fast'])
  if (fast && speedRaw !== undefined) throw new UsageError('--speed and --fast cannot be used together.')
  const speed = speedRaw === undefined ? 1 : Number(speedRaw)
  if (!Number.isFinite(speed) || speed <= 0 || speed > SPEED_MAX) throw new UsageError(`--speed must be a number above 0 and at most ${SPEED_MAX} (got ${JSON.stringify(speedRaw)}).`)
  const r = openOrExplain(resolveRecording(args.positionals[0], 'lab replay FILE [--json] [--speed K | --fast]'))

  const started: StartedItem[] = []
  const summaries: RunSummary[] = []
  const rows = new Map<string, Unit>()
  /** Units there before the first tick (from the first keyframe), shown like the ones ticks bring. */
  let seed: Unit[] = []
  let prevT: number | null = null
  for (const rec of r.records()) {
    if (rec.k === 'started') started.push(rec.item)
    else if (rec.k === 'summary') summaries.push(rec.summary)
    else if (rec.k === 'key' && prevT === null) seed = rec.state.units
    if (rec.k !== 'tick') continue
    const tick: Tick = prevT === null ? { ...rec.tick, units: [...seed, ...rec.tick.units] } : rec.tick
    if (!fast && prevT !== null) await sleep(Math.min(5000, Math.max(0, tick.t - prevT) / speed))
    prevT = tick.t
    printTick(tick, rows, started, json, out)
  }
  for (const s of summaries) printSummary(s, started.find((x) => x.runId === s.run.id), json, out)
  if (!r.complete) {
    if (json) out(JSON.stringify({ type: 'incomplete', message: r.problem }))
    else out(`(${r.problem})`)
  }
  return summaries.every((s) => s.run.status === 'done') ? 0 : 1
}

/** Watch sessions print the watched tree; runs print their log lines, as `lab watch` and `lab run` did. */
function printTick(tick: Tick, rows: Map<string, Unit>, started: readonly StartedItem[], json: boolean, out: Out): void {
  const watched = new Set(started.filter((s) => s.kind === 'watch').map((s) => s.runId))
  const onlyWatch = started.length > 0 && started.every((s) => s.kind === 'watch')
  for (const u of tick.units) if (!onlyWatch || watched.has(u.runId)) rows.set(u.id, u)
  const samples = new Map<string, Sample>(tick.samples.map((s) => [s.id, s]))
  const logs = onlyWatch ? tick.logs.filter((l) => watched.has(l.runId)) : tick.logs
  if (json) return printJsonTick(out, tick, rows.values(), samples, logs)
  if (onlyWatch) {
    for (const l of logs) out(l.text)
    const { header, body } = watchTickTable(tick, [...rows.values()], samples)
    out(`${header}\n${body}\n`)
  } else {
    for (const l of logs) out(l.unit ? l.text : `# ${l.text}`)
  }
}

function printSummary(s: RunSummary, item: StartedItem | undefined, json: boolean, out: Out): void {
  const info = s.run
  if (item?.kind === 'watch') {
    const root = s.units.find((u) => u.kind === 'program')
    const exit = info.result as { exitCode: number | null; signal: string | null } | null
    const exitCode = exit?.exitCode ?? root?.exitCode ?? null
    const signal = exit?.signal ?? root?.signal ?? null
    const ok = info.status === 'done' && exitCode === 0
    if (json) return out(JSON.stringify({ type: 'summary', ok, status: info.status, exitCode, signal, error: info.error, units: s.units }))
    out('')
    out(watchSummaryTable(s.units))
    out('')
    out(`${item.what}: ${info.status === 'failed' ? info.error : info.status === 'stopped' ? 'stopped (the whole tree was ended)' : signal ? `ended by ${signal}` : `exit code ${exitCode}`}`)
    return
  }
  const ok = info.status === 'done'
  if (json) return out(JSON.stringify({ type: 'summary', ok, status: info.status, result: info.result, error: info.error, units: s.units }))
  out('')
  out(runSummaryTable(s.units))
  out('')
  out(ok ? `result: ${JSON.stringify(info.result)}` : `run ${info.status}: ${info.error}`)
}

export function exportCommand(argv: readonly string[], out: Out): number {
  const args = parseArgs(argv, new Set())
  const trace = take(args, 'trace')
  const csv = take(args, 'csv')
  rejectUnknown(args, ['trace', 'csv'])
  const usage = 'lab export FILE --trace OUT.json | --csv OUT.csv'
  if (trace === undefined && csv === undefined) throw new UsageError(`Export to what? Usage: ${usage}`)
  const r = openOrExplain(resolveRecording(args.positionals[0], usage))
  if (typeof trace === 'string') {
    const doc = recordingToTrace(r)
    const problems = checkTrace(doc)
    if (problems.length > 0) throw new Error(`The trace failed its schema check: ${problems.slice(0, 3).join(' ')}`)
    writeFileSync(trace, JSON.stringify(doc))
    out(`wrote ${trace}: ${doc.traceEvents.length} trace events (open it at ui.perfetto.dev)`)
  }
  if (typeof csv === 'string') {
    const text = recordingToCsv(r)
    writeFileSync(csv, text)
    out(`wrote ${csv}: ${text.split('\n').length - 2} samples`)
  }
  return 0
}
