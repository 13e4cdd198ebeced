// `lab watch -- <command> [args...]` runs any program, `lab watch --pid N` attaches to running ones; either way the
// process tree and its threads are followed live, then summarised.
import { PID_MAX } from '../../shared/contract'
import { formatBytes, formatPercent } from '../../shared/format'
import type { Tick, TimeSplit, Unit, UnitSummary } from '../../shared/model'
import { BLOCK_REASONS, isFinal } from '../../shared/model'
import { optionsHelp, parseOptions, UsageError, type Command, type OptionSpec, type Out } from './command'
import {
  INTERVAL_OPTION,
  JSON_OPTION,
  intervalFrom,
  runSession,
  summaryLine,
  type SessionOutcome,
  type TickView,
} from './session'
import { table } from './table'
import { RECORD_OPTION, recordingFrom } from './record-option'

const USAGE =
  'lab watch [--interval MS] [--duration S] [--json] -- <command> [args...]\n       lab watch --pid N [--pid M ...] [--interval MS] [--duration S] [--json]'

/** Takes every `--pid N` / `--pid=N` before a bare `--` out of argv (the option repeats). */
export function takePids(argv: readonly string[]): { pids: number[]; rest: string[] } {
  const pids: number[] = []
  const rest: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') {
      rest.push(...argv.slice(i))
      break
    }
    if (arg !== '--pid' && !arg.startsWith('--pid=')) {
      rest.push(arg)
      continue
    }
    const raw = arg === '--pid' ? argv[++i] : arg.slice('--pid='.length)
    const pid = Number(raw)
    if (raw === undefined || !/^\d+$/.test(raw) || pid < 1 || pid > PID_MAX) {
      throw new UsageError(
        `--pid must be a process id, a whole number from 1 to ${PID_MAX} (got ${JSON.stringify(raw ?? '')}).`,
      )
    }
    if (!pids.includes(pid)) pids.push(pid)
  }
  return { pids, rest }
}

const DURATION_MAX_S = 24 * 3600
/** Program output lines kept under the live table on a terminal. */
const TAIL_LINES = 6

const OPTIONS: OptionSpec[] = [
  INTERVAL_OPTION,
  {
    name: 'duration',
    type: 'string',
    value: 'S',
    help: 'stop the whole tree after S seconds (counts as success); with --pid, detach',
  },
  JSON_OPTION,
  RECORD_OPTION,
]

function parseDuration(raw: string | boolean | undefined): number | null {
  if (raw === undefined) return null
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN
  if (!Number.isFinite(n) || n <= 0 || n > DURATION_MAX_S) {
    throw new UsageError(
      `--duration must be a number of seconds above 0 and at most ${DURATION_MAX_S} (got ${JSON.stringify(raw)}).`,
    )
  }
  return n
}

/** Tree order: each process followed by its threads and then its child processes. */
function treeOrder(units: readonly Unit[]): { unit: Unit; depth: number }[] {
  const byParent = new Map<string | null, Unit[]>()
  for (const u of units) byParent.set(u.parent, [...(byParent.get(u.parent) ?? []), u])
  const ids = new Set(units.map((u) => u.id))
  const out: { unit: Unit; depth: number }[] = []
  const visit = (u: Unit, depth: number): void => {
    out.push({ unit: u, depth })
    const kids = byParent.get(u.id) ?? []
    for (const k of kids.filter((k) => k.kind === 'thread')) visit(k, depth + 1)
    for (const k of kids.filter((k) => k.kind !== 'thread')) visit(k, depth + 1)
  }
  for (const u of units) if (u.parent === null || !ids.has(u.parent)) visit(u, 0)
  return out
}

/** A process shows its command line, a thread its name. */
function name(u: Unit, depth: number): string {
  const text = u.command ?? u.label
  return `${'  '.repeat(depth)}${text.length > 48 ? text.slice(0, 47) + '…' : text}`
}

/** The live table `watch` prints each tick (and `replay` of a watch): the tree of live processes and threads. */
export function watchTickTable({ tick, rows, samples }: TickView): { header: string; body: string } {
  const live = [...rows.values()].filter((u) => !isFinal(u.state))
  const body = table(
    ['process / thread', 'kind', 'pid', 'tid', 'state (OS)', 'CPU', 'on CPU / run queue / blocked', 'RSS'],
    treeOrder(live).map(({ unit: u, depth }) => {
      const s = samples.get(u.id)
      const state = s?.os ? `${u.state} (${s.os})` : u.state
      // A recording from before short-lived processes were counted has no `transient`.
      const short = (tick.transient as Tick['transient'] | undefined)?.parents.find((p) => p.unit === u.id)
      return [
        short ? `${name(u, depth)} +${short.processes} short-lived` : name(u, depth),
        u.kind,
        String(u.pid),
        u.tid === null ? '-' : String(u.tid),
        state,
        formatPercent(s?.cpu),
        timeSplit(s?.time),
        formatBytes(s?.rss),
      ]
    }),
  )
  const labCpu = tick.sampler.labCpuMs == null ? '…' : `${tick.sampler.labCpuMs.toFixed(1)} ms`
  const header = `t=${(tick.t / 1000).toFixed(1)} s  lab CPU ${labCpu}/tick (sampler ${tick.sampler.costMs.toFixed(2)} ms of it)`
  return { header, body }
}

export const watchCommand: Command = {
  name: 'watch',
  synopsis:
    'lab watch [options] -- <command> [args...]\n                                     run any program; show its processes and threads live, then a summary',
  help: () =>
    `Usage: ${USAGE}\n\nStarts the command (no shell) and follows its whole tree: every process and OS thread, CPU, memory and state.\nExit status: 0 when the program exited 0 (or --duration ended it), 1 when it failed or could not start, 2 on bad arguments.\n\n--pid N (repeatable) attaches to running processes instead: they are followed the same way but never signalled;\n--duration and Ctrl-C only detach. Exit 0 when they exited or were detached, 1 when a PID cannot be attached to.\n\n${optionsHelp(OPTIONS)}\n  --pid N                  attach to the running process N (repeat for more)`,
  async run(argvIn, ctx) {
    const { pids, rest: argv } = takePids(argvIn)
    const { values, positionals, rest } = parseOptions(argv, OPTIONS, {
      positionals: true,
      unknownHint: 'The command to watch and its own options go after "--".',
    })
    const json = values.json === true
    const intervalMs = intervalFrom(values.interval)
    const duration = parseDuration(values.duration)
    const [command, ...commandArgs] = rest ?? positionals
    if (command && pids.length > 0)
      throw new UsageError(
        `Either attach with --pid or run a command, not both (got --pid ${pids.join(', ')} and "${command}").`,
      )
    if (!command && pids.length === 0) throw new UsageError(`What should I watch? Usage: ${USAGE}`)

    const tail: string[] = []
    const text = ({ tick, rows, samples, logs }: TickView): void => {
      const { header, body } = watchTickTable({ tick, rows, samples, logs })
      if (ctx.tty) {
        for (const l of logs) if (tail.push(l.text) > TAIL_LINES) tail.shift()
        ctx.out(`\x1b[H\x1b[J${header}\n${body}\n\n${tail.join('\n')}`)
      } else {
        for (const l of logs) ctx.out(l.text)
        ctx.out(`${header}\n${body}\n`)
      }
    }
    const session = await runSession({
      intervalMs,
      recording: recordingFrom(values.record),
      json,
      out: ctx.out,
      scope: 'run',
      durationS: duration,
      text,
      start: (lab) =>
        pids.length > 0
          ? lab.attachPids(pids)
          : lab.watch({ command, args: commandArgs, label: command.split('/').pop() ?? command }),
    })
    const { info, summary, stoppedByDuration } = session
    if (pids.length > 0) return attachedSummary(session, pids, json, ctx.out)

    const root = summary.units.find((u) => u.kind === 'program')
    const exit = info.result as { exitCode: number | null; signal: string | null } | null
    const exitCode = exit?.exitCode ?? root?.exitCode ?? null
    const signal = exit?.signal ?? root?.signal ?? null
    const ok = (info.status === 'done' && exitCode === 0) || stoppedByDuration
    const ending =
      info.status === 'failed'
        ? info.error
        : stoppedByDuration
          ? `stopped after --duration ${duration} s (the whole tree was ended)`
          : info.status === 'stopped'
            ? 'stopped (the whole tree was ended)'
            : signal
              ? `ended by ${signal}`
              : `exit code ${exitCode}`
    if (json) {
      ctx.out(summaryLine(ok, session, { exitCode, signal }))
    } else {
      ctx.out('')
      ctx.out(watchSummaryTable(summary.units))
      const short = summary.transient
      if (short.processes > 0 || short.cpuMs > 0) {
        ctx.out(
          `+${short.processes} short-lived processes (${Math.round(short.cpuMs)} ms CPU) came and went between ticks`,
        )
      }
      ctx.out('')
      ctx.out(`${command}: ${ending}`)
    }
    if (info.status === 'failed') throw new Error(info.error ?? `${command} could not run.`)
    return ok ? 0 : 1
  },
}

/** "50 / 2 / 48 (lock 40)": % of the interval on a CPU, waiting for one, blocked, and the main thing it blocked on. */
function timeSplit(time: TimeSplit | null | undefined): string {
  if (!time) return '-'
  const top = BLOCK_REASONS.reduce((a, r) => (time.blockedOn[r] > time.blockedOn[a] ? r : a), BLOCK_REASONS[0])
  const on = time.blockedOn[top] >= 1 ? ` (${top} ${Math.round(time.blockedOn[top])})` : ''
  return `${Math.round(time.onCpu)} / ${Math.round(time.runqueue)} / ${Math.round(time.blocked)}${on}`
}

export function watchSummaryTable(units: readonly UnitSummary[]): string {
  return table(
    [
      'process / thread',
      'kind',
      'pid',
      'tid',
      'state',
      'peak CPU',
      'mean CPU',
      'on CPU / run queue / blocked',
      'peak RSS',
    ],
    units.map((u) => [
      u.label,
      u.kind,
      String(u.pid),
      u.tid === null ? '-' : String(u.tid),
      u.exitCode !== null && u.exitCode !== 0
        ? `${u.state} (${u.exitCode})`
        : u.signal
          ? `${u.state} (${u.signal})`
          : u.state,
      formatPercent(u.peakCpu),
      formatPercent(u.meanCpu),
      timeSplit(u.time),
      formatBytes(u.peakRss),
    ]),
  )
}

/** `--pid`: each process exited (its exit code is not knowable) or was detached (it keeps running). Exit 0 either way. */
function attachedSummary(session: SessionOutcome, pids: readonly number[], json: boolean, out: Out): number {
  const { info, summary } = session
  // A stopped run (Ctrl-C, --duration) keeps no result: what was still watched then was detached.
  const result = info.result as { attached?: { pid: number; ended: string }[]; note?: string } | null
  const attached = pids.map((pid) => ({
    pid,
    status: result?.attached?.find((a) => a.pid === pid)?.ended ?? 'detached',
    exitCode: null,
  }))
  if (json) {
    out(summaryLine(true, session, { attached }))
    return 0
  }
  out('')
  out(watchSummaryTable(summary.units))
  out('')
  for (const a of attached) {
    out(
      `pid ${a.pid}: ${a.status === 'exited' ? `exited. ${result?.note ?? ''}`.trim() : 'detached; it keeps running (the lab never signals a process it attached to).'}`,
    )
  }
  return 0
}
