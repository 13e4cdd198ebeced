// `lab sessions`, `lab replay FILE`, `lab export FILE`: the recorded sessions, printed as run/watch did or converted.
import { existsSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { checkTrace } from '../../shared/compare/trace-schema'
import { formatBytes, formatPercent } from '../../shared/format'
import type { RunSummary, Sample, Tick, Unit } from '../../shared/model'
import { FILE_EXTENSION, type StartedItem } from '../../shared/recording/format'
import { recordingToCsv, recordingToTrace } from '../lab/recording/export'
import { RecordingError, RecordingReader } from '../lab/recording/reader'
import { listSessions, sessionsDir } from '../lab/recording/sessions-dir'
import { numberOption, optionsHelp, parseOptions, UsageError, type Command, type OptionSpec, type Out } from './command'
import { runSummaryTable } from './run-command'
import { JSON_OPTION, printJsonTick, summaryLine } from './session'
import { table } from './table'
import { watchSummaryTable, watchTickTable } from './watch-command'

const SPEED_MAX = 1000

function duration(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${(ms / 1000).toFixed(1)}s`
}

export const sessionsCommand: Command = {
  name: 'sessions',
  synopsis: 'lab sessions [--json]              list the recorded sessions (what ran, when, how long, peak CPU, size)',
  help: () =>
    `Usage: lab sessions [--json]\n\nEvery run, watch and comparison is recorded into ${sessionsDir()}\n(PARALLEL_LAB_SESSIONS_DIR moves it; PARALLEL_LAB_RECORD=0 turns recording off; the oldest go past 1 GB,\nor PARALLEL_LAB_SESSIONS_CAP_MB).\n\n${optionsHelp([JSON_OPTION])}`,
  async run(argv, ctx) {
    const { values } = parseOptions(argv, [JSON_OPTION])
    const list = listSessions()
    if (values.json === true) {
      for (const s of list) ctx.out(JSON.stringify({ type: 'session', ...s }))
      return 0
    }
    if (list.length === 0) {
      ctx.out(`No recorded sessions in ${sessionsDir()}.`)
      return 0
    }
    ctx.out(
      table(
        ['name', 'what ran', 'started', 'duration', 'peak CPU', 'size', 'note'],
        list.map((s) => [
          s.name,
          s.what || '-',
          s.startedAt.replace('T', ' ').slice(0, 19),
          duration(s.durationMs),
          formatPercent(s.peakCpu),
          formatBytes(s.bytes),
          s.problem ? (s.complete ? s.problem : 'unfinished') : '',
        ]),
      ),
    )
    ctx.out(`${list.length} session${list.length === 1 ? '' : 's'} in ${sessionsDir()}`)
    return 0
  },
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

const REPLAY_USAGE = 'lab replay FILE [--json] [--speed K | --fast]'
const REPLAY_OPTIONS: OptionSpec[] = [
  JSON_OPTION,
  {
    name: 'speed',
    type: 'string',
    value: 'K',
    help: `play K times as fast as recorded (above 0, at most ${SPEED_MAX}; default 1)`,
  },
  { name: 'fast', type: 'boolean', help: 'print everything at once' },
]

export const replayCommand: Command = {
  name: 'replay',
  synopsis: `${REPLAY_USAGE}\n                                     print a recording as run/watch printed it (FILE: a path or a name from "lab sessions")`,
  help: () =>
    `Usage: ${REPLAY_USAGE}\n\nPrints a recorded session the way "lab run" or "lab watch" printed it live; --json gives the same NDJSON.\nNothing in a recording is executed.\n\n${optionsHelp(REPLAY_OPTIONS)}`,
  async run(argv, ctx) {
    const { values, positionals } = parseOptions(argv, REPLAY_OPTIONS, { positionals: true })
    const json = values.json === true
    const fast = values.fast === true
    if (fast && values.speed !== undefined) throw new UsageError('--speed and --fast cannot be used together.')
    const speed = numberOption(values.speed, 'speed') ?? 1
    if (speed <= 0 || speed > SPEED_MAX)
      throw new UsageError(`--speed must be above 0 and at most ${SPEED_MAX} (got ${speed}).`)
    const r = openOrExplain(resolveRecording(positionals[0], REPLAY_USAGE))
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
      printTick(tick, rows, started, json, ctx.out)
    }
    for (const s of summaries)
      printSummary(
        s,
        started.find((x) => x.runId === s.run.id),
        json,
        ctx.out,
      )
    if (!r.complete) ctx.out(json ? JSON.stringify({ type: 'incomplete', message: r.problem }) : `(${r.problem})`)
    return summaries.every((s) => s.run.status === 'done') ? 0 : 1
  },
}

/** Watch sessions print the watched tree; runs print their log lines, as `lab watch` and `lab run` did. */
function printTick(
  tick: Tick,
  rows: Map<string, Unit>,
  started: readonly StartedItem[],
  json: boolean,
  out: Out,
): void {
  const watched = new Set(started.filter((s) => s.kind === 'watch').map((s) => s.runId))
  const onlyWatch = started.length > 0 && started.every((s) => s.kind === 'watch')
  for (const u of tick.units) if (!onlyWatch || watched.has(u.runId)) rows.set(u.id, u)
  const samples = new Map<string, Sample>(tick.samples.map((s) => [s.id, s]))
  const logs = onlyWatch ? tick.logs.filter((l) => watched.has(l.runId)) : tick.logs
  if (json) return printJsonTick(out, { tick, rows, samples, logs })
  if (onlyWatch) {
    for (const l of logs) out(l.text)
    const { header, body } = watchTickTable({ tick, rows, samples, logs })
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
    if (json) return out(summaryLine(ok, { info, summary: s }, { exitCode, signal }))
    out('')
    out(watchSummaryTable(s.units))
    out('')
    out(
      `${item.what}: ${info.status === 'failed' ? info.error : info.status === 'stopped' ? 'stopped (the whole tree was ended)' : signal ? `ended by ${signal}` : `exit code ${exitCode}`}`,
    )
    return
  }
  const ok = info.status === 'done'
  if (json) return out(summaryLine(ok, { info, summary: s }, { result: info.result }))
  out('')
  out(runSummaryTable(s.units))
  out('')
  out(ok ? `result: ${JSON.stringify(info.result)}` : `run ${info.status}: ${info.error}`)
}

const EXPORT_USAGE = 'lab export FILE --trace OUT.json | --csv OUT.csv'
const EXPORT_OPTIONS: OptionSpec[] = [
  { name: 'trace', type: 'string', value: 'OUT.json', help: 'Chrome trace-event JSON that ui.perfetto.dev opens' },
  { name: 'csv', type: 'string', value: 'OUT.csv', help: 'every sample: one row per unit per tick' },
]

export const exportCommand: Command = {
  name: 'export',
  synopsis: `${EXPORT_USAGE}\n                                     a recording as a Perfetto trace or a CSV of its samples`,
  help: () =>
    `Usage: ${EXPORT_USAGE}\n\nFILE is a path or a name from "lab sessions".\n\n${optionsHelp(EXPORT_OPTIONS)}`,
  async run(argv, ctx) {
    const { values, positionals } = parseOptions(argv, EXPORT_OPTIONS, { positionals: true })
    const trace = values.trace
    const csv = values.csv
    if (typeof trace !== 'string' && typeof csv !== 'string')
      throw new UsageError(`Export to what? Usage: ${EXPORT_USAGE}`)
    const r = openOrExplain(resolveRecording(positionals[0], EXPORT_USAGE))
    if (typeof trace === 'string') {
      const doc = recordingToTrace(r)
      const problems = checkTrace(doc)
      if (problems.length > 0) throw new Error(`The trace failed its schema check: ${problems.slice(0, 3).join(' ')}`)
      writeFileSync(trace, JSON.stringify(doc))
      ctx.out(`wrote ${trace}: ${doc.traceEvents.length} trace events (open it at ui.perfetto.dev)`)
    }
    if (typeof csv === 'string') {
      const text = recordingToCsv(r)
      writeFileSync(csv, text)
      ctx.out(`wrote ${csv}: ${text.split('\n').length - 2} samples`)
    }
    return 0
  },
}
