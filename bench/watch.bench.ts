// Watching programs: CPU% accuracy against each program's own getrusage totals (duty cycles 100/50/25/0 %), and the
// cost per tick of following a program with 200 threads (tree discovery + sampling).
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { Lab } from '../src/main/lab/lab'
import { median, p95 } from './stats'

const ROUNDS = Number(process.env.ROUNDS ?? 2)
const SECONDS = Number(process.env.SECONDS ?? 4)
const INTERVAL_MS = 500
const DUTIES = [100, 50, 25, 0]
const COST_TICKS = Number(process.env.TICKS ?? 60)
const WARM_TICKS = 30

/**
 * A program busy `duty` % of every 100 ms for SECONDS, which then reports its own CPU time (getrusage, via
 * process.cpuUsage) and its lifetime (performance.now() counts from its own start) on the lab's side channel (fd 3) as its result.
 */
function dutyProgram(duty: number): string[] {
  const code = `
const start = performance.now(), end = start + ${SECONDS * 1000}, period = 100, busy = ${duty}
const report = () => {
  const u = process.cpuUsage()
  require('fs').writeSync(3, JSON.stringify({ type: 'result', value: { cpuMs: (u.user + u.system) / 1000, wallMs: performance.now() } }) + '\\n')
}
const step = () => {
  const now = performance.now()
  if (now >= end) return report()
  const slot = now - ((now - start) % period)
  while (performance.now() < slot + busy) {}
  setTimeout(step, Math.max(0, slot + period - performance.now()))
}
step()`
  return ['-e', code]
}

interface Accuracy {
  duty: number
  round: number
  truth: number
  lab: number
  error: number
}

async function accuracy(): Promise<Accuracy[]> {
  const rows: Accuracy[] = []
  for (let round = 1; round <= ROUNDS; round++) {
    for (const duty of DUTIES) {
      const lab = new Lab({ intervalMs: INTERVAL_MS })
      const run = await lab.watch({ command: process.execPath, args: dutyProgram(duty), label: `duty ${duty}` })
      const info = await lab.wait(run.id)
      const summary = await lab.summary({ runId: run.id })
      await lab.close()
      const truthRaw = (info.result as { result: { cpuMs: number; wallMs: number } | null }).result
      const root = summary.units.find((u) => u.kind === 'program')
      if (!truthRaw || root?.meanCpu === null || root?.meanCpu === undefined) throw new Error(`duty ${duty}: no reading (${info.error ?? 'no result'})`)
      const truth = (truthRaw.cpuMs / truthRaw.wallMs) * 100
      rows.push({ duty, round, truth, lab: root.meanCpu, error: Math.abs(root.meanCpu - truth) })
      console.log(`duty ${String(duty).padStart(3)} %  round ${round}: own getrusage ${truth.toFixed(1)} %, lab ${root.meanCpu.toFixed(1)} %`)
    }
  }
  return rows
}

/** 200 idle Python threads (or Node workers if python3 is missing): what one tick of following them costs. */
async function tickCost(): Promise<{
  threads: number
  tickMedianMs: number
  tickP95Ms: number
  tickCpuMedianMs: number
  collectMedianMs: number
  collectP95Ms: number
}> {
  const lab = new Lab({ intervalMs: INTERVAL_MS, autoStart: false })
  const script = 'import threading, time\nev = threading.Event()\nfor _ in range(199): threading.Thread(target=ev.wait, daemon=True).start()\nprint("up", flush=True)\ntime.sleep(600)'
  const run = await lab.watch({ command: 'python3', args: ['-c', script], label: '200 threads' })
  let threads = 0
  for (let i = 0; i < 100 && threads < 200; i++) {
    await new Promise((r) => setTimeout(r, 100))
    const tick = await lab.flush()
    threads = tick.samples.filter((s) => s.cpuSeconds !== null).length - 2
  }
  // Steady state: a lab samples every 500 ms for as long as the program runs, so warm the code paths first.
  for (let i = 0; i < WARM_TICKS; i++) await lab.flush()
  const ticks: number[] = []
  const cpu: number[] = []
  const collects: number[] = []
  for (let i = 0; i < COST_TICKS; i++) {
    await new Promise((r) => setTimeout(r, 50))
    // Wall time counts waiting for a core on a busy machine too; CPU time is what the tick itself costs.
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    const tick = await lab.flush()
    ticks.push(performance.now() - t0)
    const c = process.cpuUsage(c0)
    cpu.push((c.user + c.system) / 1000)
    collects.push(tick.sampler.costMs)
  }
  await lab.stop({ runId: run.id })
  await lab.close()
  return {
    threads,
    tickMedianMs: median(ticks),
    tickP95Ms: p95(ticks),
    tickCpuMedianMs: median(cpu),
    collectMedianMs: median(collects),
    collectP95Ms: p95(collects),
  }
}

const load = (): string => os.loadavg()[0].toFixed(1)
console.log(`load average at start: ${load()} on ${os.cpus().length} cores`)
const rows = await accuracy()
const mae = rows.reduce((a, r) => a + r.error, 0) / rows.length
console.log('\nduty  own getrusage  lab (mean of ticks)  |error| (points), mean over rounds')
for (const duty of DUTIES) {
  const rs = rows.filter((r) => r.duty === duty)
  const avg = (f: (r: Accuracy) => number): number => rs.reduce((a, r) => a + f(r), 0) / rs.length
  console.log(`${String(duty).padStart(3)} %  ${avg((r) => r.truth).toFixed(1).padStart(12)} %  ${avg((r) => r.lab).toFixed(1).padStart(17)} %  ${avg((r) => r.error).toFixed(2).padStart(6)}`)
}
console.log(`mean absolute error: ${mae.toFixed(2)} points (target <= 3)`)

const cost = await tickCost()
console.log(
  `\nprogram with ${cost.threads} threads, one tick (tree discovery + sampling): wall median ${cost.tickMedianMs.toFixed(2)} ms, p95 ${cost.tickP95Ms.toFixed(2)} ms,` +
    ` CPU time median ${cost.tickCpuMedianMs.toFixed(2)} ms; collector alone wall median ${cost.collectMedianMs.toFixed(2)} ms (target <= 2 ms median); load average ${load()}`,
)
mkdirSync('bench/results', { recursive: true })
writeFileSync('bench/results/watch.json', JSON.stringify({ date: new Date().toISOString(), loadAverage: os.loadavg()[0], intervalMs: INTERVAL_MS, seconds: SECONDS, rows, mae, cost }, null, 2))
