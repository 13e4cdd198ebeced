// `lab watch -- <command> [args...]`: runs any program, follows its process tree and threads live, then summarises.
import type { Sample, Tick, Unit, UnitSummary } from '../../shared/model'
import { isFinal } from '../../shared/model'
import { validateInterval } from '../../shared/params'
import { Lab } from '../lab/lab'
import { parseArgs, rejectUnknown, take, UsageError } from './args'
import { RECORD_OPTIONS, recordingOption } from './record-option'
import { bytes, percent, table } from './format'
import { printJsonTick, type Out } from './run-command'

export const WATCH_USAGE = 'lab watch [--interval MS] [--duration S] [--json] -- <command> [args...]'

const DURATION_MAX_S = 24 * 3600
/** Program output lines kept under the live table on a terminal. */
const TAIL_LINES = 6

export interface WatchOptions {
  /** Redraw the table in place (a terminal) instead of printing one table per tick. */
  tty?: boolean
}

function parseDuration(raw: string | boolean | undefined): number | null {
  if (raw === undefined) return null
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN
  if (!Number.isFinite(n) || n <= 0 || n > DURATION_MAX_S) {
    throw new UsageError(`--duration must be a number of seconds above 0 and at most ${DURATION_MAX_S} (got ${JSON.stringify(raw)}).`)
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

/** The live table `watch` prints each tick: the tree of live processes and threads with their OS state, CPU and memory. */
export function watchTickTable(tick: Tick, units: readonly Unit[], samples: ReadonlyMap<string, Sample>): { header: string; body: string } {
  const live = units.filter((u) => !isFinal(u.state))
  const body = table(
    ['process / thread', 'kind', 'pid', 'tid', 'state (OS)', 'CPU', 'RSS'],
    treeOrder(live).map(({ unit: u, depth }) => {
      const s = samples.get(u.id)
      const state = s?.os ? `${u.state} (${s.os})` : u.state
      return [name(u, depth), u.kind, String(u.pid), u.tid === null ? '-' : String(u.tid), state, percent(s?.cpu), bytes(s?.rss)]
    }),
  )
  return { header: `t=${(tick.t / 1000).toFixed(1)} s  sampler ${tick.sampler.costMs.toFixed(2)} ms/tick`, body }
}

export async function watchCommand(argv: readonly string[], out: Out, opts: WatchOptions = {}): Promise<number> {
  const args = parseArgs(argv, new Set(['json', 'no-record']))
  const json = take(args, 'json') === true
  const interval = validateInterval(take(args, 'interval') ?? 500)
  if (!interval.ok) throw new UsageError(interval.errors[0].message.replace(/^interval/, '--interval'))
  const duration = parseDuration(take(args, 'duration'))
  const recording = recordingOption(args)
  rejectUnknown(args, ['json', 'interval', ...RECORD_OPTIONS, 'duration'])
  const [command, ...commandArgs] = args.rest.length > 0 ? args.rest : args.positionals
  if (!command) throw new UsageError(`What should I watch? Usage: ${WATCH_USAGE}`)

  const lab = new Lab({ intervalMs: interval.value, recording })
  const rows = new Map<string, Unit>()
  const tail: string[] = []
  let runId: string | null = null
  const onTick = (tick: Tick): void => {
    for (const u of tick.units) if (u.runId !== null && u.runId === runId) rows.set(u.id, u)
    const samples = new Map(tick.samples.map((s) => [s.id, s]))
    const logs = tick.logs.filter((l) => l.runId === runId)
    if (json) return printJsonTick(out, tick, rows.values(), samples, logs)
    const { header, body } = watchTickTable(tick, [...rows.values()], samples)
    if (opts.tty) {
      for (const l of logs) if (tail.push(l.text) > TAIL_LINES) tail.shift()
      out(`\x1b[H\x1b[J${header}\n${body}\n\n${tail.join('\n')}`)
    } else {
      for (const l of logs) out(l.text)
      out(`${header}\n${body}\n`)
    }
  }
  lab.onTick(onTick)

  const run = await lab.watch({ command, args: commandArgs, label: command.split('/').pop() ?? command })
  runId = run.id
  const stop = (): void => void lab.stop({ runId: run.id })
  const timer = duration === null ? null : setTimeout(stop, duration * 1000)
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  const info = await lab.wait(run.id)
  if (timer) clearTimeout(timer)
  await lab.flush()
  const summary = await lab.summary({ runId: run.id })
  await lab.close()
  process.off('SIGINT', stop)
  process.off('SIGTERM', stop)

  const root = summary.units.find((u) => u.kind === 'program')
  const exit = info.result as { exitCode: number | null; signal: string | null } | null
  const exitCode = exit?.exitCode ?? root?.exitCode ?? null
  const signal = exit?.signal ?? root?.signal ?? null
  const stoppedByDuration = info.status === 'stopped' && timer !== null
  const ok = (info.status === 'done' && exitCode === 0) || stoppedByDuration
  const outcome =
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
    out(JSON.stringify({ type: 'summary', ok, status: info.status, exitCode, signal, error: info.error, units: summary.units }))
  } else {
    out('')
    out(watchSummaryTable(summary.units))
    out('')
    out(`${command}: ${outcome}`)
  }
  if (info.status === 'failed') throw new Error(info.error ?? `${command} could not run.`)
  return ok ? 0 : 1
}

export function watchSummaryTable(units: readonly UnitSummary[]): string {
  return table(
    ['process / thread', 'kind', 'pid', 'tid', 'state', 'peak CPU', 'mean CPU', 'peak RSS'],
    units.map((u) => [
      u.label,
      u.kind,
      String(u.pid),
      u.tid === null ? '-' : String(u.tid),
      u.exitCode !== null && u.exitCode !== 0 ? `${u.state} (${u.exitCode})` : u.signal ? `${u.state} (${u.signal})` : u.state,
      percent(u.peakCpu),
      percent(u.meanCpu),
      bytes(u.peakRss),
    ]),
  )
}
