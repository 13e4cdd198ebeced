// `lab watch -- <command> [args...]` runs any program, `lab watch --pid N` attaches to a running one; either way its
// process tree and threads are followed live, then summarised.
import { LabError, PID_MAX } from '../../shared/contract'
import type { RunInfo, Tick, Unit, UnitSummary } from '../../shared/model'
import { isFinal } from '../../shared/model'
import { validateInterval } from '../../shared/params'
import { Lab } from '../lab/lab'
import { parseArgs, rejectUnknown, take, UsageError } from './args'
import { bytes, percent, table } from './format'
import { unitRow, type Out } from './run-command'

export const WATCH_USAGE = 'lab watch [--interval MS] [--duration S] [--json] -- <command> [args...]  or  lab watch --pid N [--pid M ...] [options]'

/** Takes every `--pid N` / `--pid=N` before a bare `--` out of argv (the option repeats, which parseArgs does not keep). */
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
      throw new UsageError(`--pid must be a process id, a whole number from 1 to ${PID_MAX} (got ${JSON.stringify(raw ?? '')}).`)
    }
    if (!pids.includes(pid)) pids.push(pid)
  }
  return { pids, rest }
}

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

export async function watchCommand(argv: readonly string[], out: Out, opts: WatchOptions = {}): Promise<number> {
  const { pids, rest } = takePids(argv)
  const args = parseArgs(rest, new Set(['json']))
  const json = take(args, 'json') === true
  const interval = validateInterval(take(args, 'interval') ?? 500)
  if (!interval.ok) throw new UsageError(interval.errors[0].message.replace(/^interval/, '--interval'))
  const duration = parseDuration(take(args, 'duration'))
  rejectUnknown(args, ['json', 'interval', 'duration', 'pid'])
  const [command, ...commandArgs] = args.rest.length > 0 ? args.rest : args.positionals
  if (!command && pids.length === 0) throw new UsageError(`What should I watch? Usage: ${WATCH_USAGE}`)
  if (command && pids.length > 0) throw new UsageError(`Either attach with --pid or run a command, not both (got --pid ${pids.join(', ')} and "${command}").`)

  const lab = new Lab({ intervalMs: interval.value })
  const rows = new Map<string, Unit>()
  const tail: string[] = []
  const runIds = new Set<string>()
  const onTick = (tick: Tick): void => {
    for (const u of tick.units) if (u.runId !== null && runIds.has(u.runId)) rows.set(u.id, u)
    const samples = new Map(tick.samples.map((s) => [s.id, s]))
    const logs = tick.logs.filter((l) => l.runId !== null && runIds.has(l.runId))
    if (json) {
      const changed = new Set(tick.units.map((u) => u.id))
      const units = [...rows.values()].filter((u) => samples.has(u.id) || changed.has(u.id))
      out(JSON.stringify({ type: 'tick', t: Math.round(tick.t), units: units.map((u) => unitRow(u, samples.get(u.id))) }))
      for (const l of logs) out(JSON.stringify({ type: 'log', t: Math.round(l.t), unit: l.unit, text: l.text }))
      return
    }
    const live = [...rows.values()].filter((u) => !isFinal(u.state))
    const body = table(
      ['process / thread', 'kind', 'pid', 'tid', 'state (OS)', 'CPU', 'RSS'],
      treeOrder(live).map(({ unit: u, depth }) => {
        const s = samples.get(u.id)
        const state = s?.os ? `${u.state} (${s.os})` : u.state
        return [name(u, depth), u.kind, String(u.pid), u.tid === null ? '-' : String(u.tid), state, percent(s?.cpu), bytes(s?.rss)]
      }),
    )
    const header = `t=${(tick.t / 1000).toFixed(1)} s  sampler ${tick.sampler.costMs.toFixed(2)} ms/tick`
    if (opts.tty) {
      for (const l of logs) if (tail.push(l.text) > TAIL_LINES) tail.shift()
      out(`\x1b[H\x1b[J${header}\n${body}\n\n${tail.join('\n')}`)
    } else {
      for (const l of logs) out(l.text)
      out(`${header}\n${body}\n`)
    }
  }
  lab.onTick(onTick)
  if (pids.length > 0) return attachAndWatch(lab, pids, runIds, duration, json, out)

  const run = await lab.watch({ command, args: commandArgs, label: command.split('/').pop() ?? command })
  runIds.add(run.id)
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
    out(summaryTable(summary.units))
    out('')
    out(`${command}: ${outcome}`)
  }
  if (info.status === 'failed') throw new Error(info.error ?? `${command} could not run.`)
  return ok ? 0 : 1
}

function summaryTable(units: readonly UnitSummary[]): string {
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

/**
 * `--pid`: follows running processes the lab did not start until every one of them (and its descendants) has exited,
 * or until --duration / Ctrl-C, which only detach. Exit 1 when a PID cannot be attached to (the message says why).
 */
async function attachAndWatch(lab: Lab, pids: readonly number[], runIds: Set<string>, duration: number | null, json: boolean, out: Out): Promise<number> {
  const runs: RunInfo[] = []
  try {
    for (const pid of pids) {
      const { run } = await lab.attach({ pid })
      runs.push(run)
      runIds.add(run.id)
    }
  } catch (err) {
    await lab.close()
    throw err instanceof LabError ? new Error(err.message) : err
  }
  let detachedBy: string | null = null
  const detach = (why: string) => (): void => {
    detachedBy ??= why
    for (const r of runs) void lab.stop({ runId: r.id })
  }
  const timer = duration === null ? null : setTimeout(detach(`--duration ${duration} s`), duration * 1000)
  const onSignal = detach('Ctrl-C')
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const infos = await Promise.all(runs.map((r) => lab.wait(r.id)))
  if (timer) clearTimeout(timer)
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
  await lab.flush()
  const summaries = await Promise.all(runs.map((r) => lab.summary({ runId: r.id })))
  await lab.close()
  const units = summaries.flatMap((s) => s.units)
  const outcomes = infos.map((info, i) => {
    const result = info.result as { note?: string } | null
    const ended = info.status === 'done' ? `exited. ${result?.note ?? ''}`.trim() : `detached after ${detachedBy ?? 'a stop'}; it keeps running (the lab never signals a process it attached to).`
    return { pid: pids[i], status: info.status === 'done' ? 'exited' : 'detached', text: `pid ${pids[i]}: ${ended}` }
  })
  if (json) {
    out(JSON.stringify({ type: 'summary', ok: true, attached: outcomes.map(({ pid, status }) => ({ pid, status, exitCode: null })), units }))
  } else {
    out('')
    out(summaryTable(units))
    out('')
    for (const o of outcomes) out(o.text)
  }
  return 0
}
