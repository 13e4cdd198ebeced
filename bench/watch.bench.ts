// Watching programs: per-tick CPU % error against each program's own clocks (a thread and its process, duty cycles
// 0/25/50/100 %, at 500 and 100 ms), and the lab's whole CPU per tick for a 1,000-thread program and for 300 child
// processes, side by side with `top -H -p` refreshing at the same interval on the same program in the same run.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import type { Tick } from '../src/shared/model'
import { Lab } from '../src/main/lab/lab'
import { compileProbes } from '../src/main/lab/testing/probes'
import { median } from './stats'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4)
const INTERVALS = [500, 100]
const DUTIES = [0, 25, 50, 100]
const COST_TICKS = Number(process.env.BENCH_TICKS ?? 20)
const COST_INTERVAL_MS = 500
/**
 * Ticks the lab runs after following the whole program before its cost is counted (12 s: its first ticks open every
 * file, and the search for short-lived processes polls faster for 10 s after the tree last changed).
 */
const WARM_TICKS = 24
/** Refreshes top makes before its cost is counted (its start-up and first full reading). */
const TOP_SHORT = 5
/** top takes at most 20 PIDs after -p: 300 processes need 16 tops. */
const TOP_MAX_PIDS = 20

const probes = compileProbes()
const tmp = mkdtempSync(join(os.tmpdir(), 'bench-watch-'))
// The labs record their sessions as the app does (the recorder is part of the cost), into a folder of the bench's own.
process.env.PARALLEL_LAB_SESSIONS_DIR = join(tmp, 'sessions')
process.env.PARALLEL_LAB_STATE_DIR = join(tmp, 'state')

interface ClockLine {
  at: number
  thread: number
  process: number
}

/** The program's own clocks at time `at` (ns, CLOCK_MONOTONIC), linearly between its 2 ms lines. */
function clocksAt(lines: readonly ClockLine[], at: number): ClockLine | null {
  let lo = 0
  let hi = lines.length - 1
  if (hi < 1 || at < lines[0].at || at > lines[hi].at) return null
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    if (lines[mid].at <= at) lo = mid
    else hi = mid
  }
  const a = lines[lo]
  const b = lines[hi]
  const f = (at - a.at) / (b.at - a.at || 1)
  return { at, thread: a.thread + f * (b.thread - a.thread), process: a.process + f * (b.process - a.process) }
}

interface Accuracy {
  intervalMs: number
  duty: number
  kind: 'thread' | 'process'
  ticks: number
  truth: number
  lab: number
  /** Mean over ticks of |lab - truth|, points of one core. */
  tickError: number
  maxTickError: number
}

async function accuracy(intervalMs: number, duty: number): Promise<Accuracy[]> {
  const file = join(tmp, `clocks-${intervalMs}-${duty}`)
  const lab = new Lab({ intervalMs })
  const at = new Map<number, number>()
  const ticks: Tick[] = []
  lab.onTick((t) => {
    at.set(t.seq, Number(process.hrtime.bigint()))
    ticks.push(t)
  })
  const run = await lab.watch({
    command: probes.path('clockedDuty'),
    args: [String(duty), String(SECONDS), file],
    label: `duty ${duty}`,
  })
  await lab.wait(run.id)
  const units = (await lab.snapshot()).units.filter((u) => u.runId === run.id)
  await lab.close()
  const lines = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' ').map(Number))
    .map(([a, t, p]) => ({ at: a, thread: t, process: p }))
  const root = units.find((u) => u.spawned)!
  const worker = units.find((u) => u.kind === 'thread' && u.command === 'duty')!
  const out: Accuracy[] = []
  for (const [kind, unit] of [
    ['thread', worker],
    ['process', root],
  ] as const) {
    const errors: number[] = []
    const truths: number[] = []
    const labs: number[] = []
    for (let i = 1; i < ticks.length; i++) {
      const s = ticks[i].samples.find((x) => x.id === unit.id)
      const a = clocksAt(lines, at.get(ticks[i - 1].seq)!)
      const b = clocksAt(lines, at.get(ticks[i].seq)!)
      if (!s || s.cpu === null || !a || !b) continue
      const truth = ((b[kind] - a[kind]) / (b.at - a.at)) * 100
      truths.push(truth)
      labs.push(s.cpu)
      errors.push(Math.abs(s.cpu - truth))
    }
    const mean = (xs: number[]): number => xs.reduce((x, y) => x + y, 0) / xs.length
    out.push({
      intervalMs,
      duty,
      kind,
      ticks: errors.length,
      truth: mean(truths),
      lab: mean(labs),
      tickError: mean(errors),
      maxTickError: Math.max(...errors),
    })
  }
  return out
}

/** A process's CPU so far (ms): its threads' run time from /proc/PID/schedstat (ns), summed over its tasks. */
function cpuMsOf(pid: number): number {
  let ns = 0
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`))
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0])
  } catch {
    // Ended: what it had run is lost with it (the bench reads the tops only while they run).
  }
  return ns / 1e6
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

interface Cost {
  what: string
  ticks: number
  labCpuMsPerTick: number
  samplerCostMs: number
  topCpuMsPerRefresh: number
  tops: number
  ratio: number
  withStartup: { labCpuMsPerTick: number; topCpuMsPerRefresh: number; ratio: number }
}

/**
 * The lab following a program (at COST_INTERVAL_MS) while top watches the same PIDs at the same refresh, both measured
 * over one window of COST_TICKS intervals in their steady state: the window opens WARM_TICKS after the lab follows the
 * whole program (see WARM_TICKS) and TOP_SHORT refreshes after the tops started, and the tops' CPU is read from their
 * schedstat (ns) as it opens and closes, so both figures come from the same seconds of the same machine. The lab's is
 * the median of its ticks in the window (`sampler.labCpuMs`), top's the CPU its instances used in the window per
 * refresh. `withStartup` keeps the old figure: the lab's first COST_TICKS ticks against the tops' CPU from their start.
 */
async function cost(what: string, probe: 'manyThreads' | 'children', count: number): Promise<Cost> {
  const lab = new Lab({ intervalMs: COST_INTERVAL_MS })
  const ticks: Tick[] = []
  lab.onTick((t) => ticks.push(t))
  const seconds = (WARM_TICKS + TOP_SHORT + COST_TICKS + 16) * (COST_INTERVAL_MS / 1000)
  const run = await lab.watch({
    command: probes.path(probe),
    args: [String(count), String(seconds), 'sleep'],
    label: what,
  })
  // Wait until the whole program is followed: every thread, or every child process.
  const followed = async (): Promise<number> =>
    (await lab.snapshot()).units.filter(
      (u) => u.runId === run.id && u.kind === (probe === 'manyThreads' ? 'thread' : 'program'),
    ).length
  while ((await followed()) < (probe === 'manyThreads' ? count : count + 1)) await sleep(100)
  const firstTick = ticks.length
  const units = (await lab.snapshot()).units.filter((u) => u.runId === run.id && u.kind === 'program')
  const pids = units.map((u) => u.pid)
  const groups: number[][] = probe === 'manyThreads' ? [pids] : []
  if (probe === 'children')
    for (let i = 0; i < pids.length; i += TOP_MAX_PIDS) groups.push(pids.slice(i, i + TOP_MAX_PIDS))
  while (ticks.length < firstTick + WARM_TICKS - TOP_SHORT) await sleep(50)
  const refreshes = TOP_SHORT + COST_TICKS + 4
  const tops = groups.map((g) =>
    spawn('top', ['-H', '-b', '-d', String(COST_INTERVAL_MS / 1000), '-n', String(refreshes), '-p', g.join(',')], {
      stdio: 'ignore',
    }),
  )
  const topsEnded = Promise.all(tops.map((t) => new Promise((r) => t.once('close', r))))
  const topCpu = (): number => tops.reduce((sum, t) => sum + cpuMsOf(t.pid!), 0)
  const startedAt = performance.now()
  await sleep(TOP_SHORT * COST_INTERVAL_MS)
  const from = ticks.length
  const [cpu0, at0] = [topCpu(), performance.now()]
  await sleep(COST_TICKS * COST_INTERVAL_MS)
  const [cpu1, at1] = [topCpu(), performance.now()]
  const to = ticks.length
  await topsEnded
  const steadyTicks = ticks.slice(from, to).filter((t) => t.sampler.labCpuMs !== null)
  const startupTicks = ticks.slice(firstTick, firstTick + COST_TICKS).filter((t) => t.sampler.labCpuMs !== null)
  await lab.stop({ runId: run.id })
  await lab.close()
  const labCpu = median(steadyTicks.map((t) => t.sampler.labCpuMs!))
  const top = (cpu1 - cpu0) / ((at1 - at0) / COST_INTERVAL_MS)
  const labStartup = median(startupTicks.map((t) => t.sampler.labCpuMs!))
  const topStartup = cpu1 / ((at1 - startedAt) / COST_INTERVAL_MS)
  return {
    what,
    ticks: steadyTicks.length,
    labCpuMsPerTick: labCpu,
    samplerCostMs: median(steadyTicks.map((t) => t.sampler.costMs)),
    topCpuMsPerRefresh: top,
    tops: groups.length,
    ratio: labCpu / top,
    withStartup: { labCpuMsPerTick: labStartup, topCpuMsPerRefresh: topStartup, ratio: labStartup / topStartup },
  }
}

const load = (): string => os.loadavg()[0].toFixed(1)
console.log(`load average at start: ${load()} on ${os.cpus().length} cores`)
/** BENCH_PART=cost measures only the cost, =accuracy only the accuracy. */
const part = process.env.BENCH_PART ?? 'all'
const rows: Accuracy[] = []
if (part !== 'cost')
  for (const intervalMs of INTERVALS) for (const duty of DUTIES) rows.push(...(await accuracy(intervalMs, duty)))
console.log('\ninterval  duty  unit     ticks  own clock  lab (mean)  |error| per tick (mean, max)')
for (const r of rows) {
  console.log(
    `${String(r.intervalMs).padStart(5)} ms ${String(r.duty).padStart(4)} %  ${r.kind.padEnd(7)} ${String(r.ticks).padStart(5)} ${r.truth.toFixed(1).padStart(9)} % ${r.lab.toFixed(1).padStart(9)} %   ${r.tickError.toFixed(2)}, ${r.maxTickError.toFixed(2)}`,
  )
}
for (const intervalMs of INTERVALS) {
  for (const kind of ['thread', 'process']) {
    const rs = rows.filter((r) => r.intervalMs === intervalMs && r.kind === kind)
    console.log(
      `mean |error| per tick, ${kind === 'thread' ? 'threads' : 'processes'} at ${intervalMs} ms: ${(rs.reduce((a, r) => a + r.tickError, 0) / rs.length).toFixed(2)} points`,
    )
  }
}

const costs =
  part === 'accuracy'
    ? []
    : [await cost('1,000-thread program', 'manyThreads', 1000), await cost('300 child processes', 'children', 300)]
console.log('\nsteady state (medians)   lab CPU/tick  (sampler wall)  top CPU/refresh  tops  lab / top')
for (const c of costs) {
  console.log(
    `${c.what.padEnd(24)} ${c.labCpuMsPerTick.toFixed(2).padStart(9)} ms  (${c.samplerCostMs.toFixed(2)} ms)  ${c.topCpuMsPerRefresh.toFixed(2).padStart(12)} ms  ${String(c.tops).padStart(4)}  ${c.ratio.toFixed(2)}`,
  )
}
console.log('first ticks, top with its start-up')
for (const c of costs) {
  const w = c.withStartup
  console.log(
    `${c.what.padEnd(24)} ${w.labCpuMsPerTick.toFixed(2).padStart(9)} ms  ${''.padStart(14)}  ${w.topCpuMsPerRefresh.toFixed(2).padStart(12)} ms  ${String(c.tops).padStart(4)}  ${w.ratio.toFixed(2)}`,
  )
}
console.log(`load average at end: ${load()}`)
mkdirSync('bench/results', { recursive: true })
writeFileSync(
  'bench/results/watch.json',
  JSON.stringify(
    { date: new Date().toISOString(), loadAverage: os.loadavg()[0], seconds: SECONDS, rows, costs },
    null,
    2,
  ),
)
rmSync(tmp, { recursive: true, force: true })
probes.remove()
