// Pool throughput, side by side in one run with 2 workers: our ThreadPool (instrumentation on) vs piscina, our
// ProcessPool vs tinypool's child_process runtime (the reference for process pools) and vs our ThreadPool, the pools as
// they were before the current change (BENCH_BASE, a git commit) on the same tasks, and Python's executors on the
// CPU-bound task. Repeats alternate the order of contenders; the report gives medians and per-repeat ratios.
// Not a test: the machine is noisy.
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Piscina } from 'piscina'
import { Tinypool } from 'tinypool'
// @ts-expect-error: plain ESM script without types
import { buildLabHost } from '../scripts/build-lab.mjs'
import { ProcessPool, ThreadPool } from '../src/main/lab/pools/kinds'
import { standalonePoolDeps } from '../src/main/lab/pools/standalone'
import { fib } from '../src/main/lab/pools/workloads'
import { loadBaseline, type BaselinePool } from './pool-baseline'
import { median } from './stats'

const REPEAT = Number(process.env.REPEAT ?? 7)
const WORKERS = 2
const TRIVIAL = Number(process.env.TRIVIAL ?? 20_000)
const CPU_TASKS = 40
const CPU_ROUNDS = 5
const FIB_N = 27
/** The commit before the change being measured (the split of pool.ts and the concurrent.futures work). */
const BASE = process.env.BENCH_BASE ?? '3908682'
const root = fileURLToPath(new URL('..', import.meta.url))

await buildLabHost()

type Contender = {
  name: string
  run: (task: string, inputs: number[]) => Promise<unknown[]>
  after?: () => void
  close: () => Promise<void>
}

/** Our pools, then and now: both collect task events (instrumentation on); a lab's tick would drain them later, outside the timing. */
function ours(pool: BaselinePool, name: string): Contender {
  const deps = pool as unknown as { deps: { outbox: { drain(): unknown } } }
  return {
    name,
    run: (task, inputs) => Promise.all(inputs.map((x) => pool.submit(task, x).result())),
    after: () => void deps.deps.outbox.drain(),
    close: () => pool.shutdown(),
  }
}

const workerFile = join(root, 'out/lab/piscina-worker.mjs')
function piscina(): Contender {
  const p = new Piscina({ filename: workerFile, minThreads: WORKERS, maxThreads: WORKERS, idleTimeout: 60_000 })
  return {
    name: 'piscina',
    run: (task, inputs) => Promise.all(inputs.map((x) => p.run({ name: task, args: [x] }))),
    close: () => p.destroy(),
  }
}

function tinypoolProcesses(): Contender {
  const p = new Tinypool({
    filename: workerFile,
    runtime: 'child_process',
    minThreads: WORKERS,
    maxThreads: WORKERS,
    idleTimeout: 60_000,
  })
  return {
    name: 'tinypool child_process',
    run: (task, inputs) => Promise.all(inputs.map((x) => p.run({ name: task, args: [x] }))),
    close: () => p.destroy(),
  }
}

const threadPool = new ThreadPool(
  { size: WORKERS, name: 'bench threads', start: 'eager', taskEvents: true },
  standalonePoolDeps(),
)
const processPool = new ProcessPool(
  { size: WORKERS, name: 'bench processes', start: 'eager', taskEvents: true },
  standalonePoolDeps(),
)
await Promise.all([threadPool.ready(), processPool.ready()])
const baseline = await loadBaseline(root, BASE, WORKERS)
const contenders = {
  thread: ours(threadPool, 'our ThreadPool'),
  process: ours(processPool, 'our ProcessPool'),
  piscina: piscina(),
  tinypool: tinypoolProcesses(),
  oldThread: ours(baseline.thread, 'ThreadPool before'),
  oldProcess: ours(baseline.process, 'ProcessPool before'),
}

const trivialInputs = Array.from({ length: TRIVIAL }, (_, i) => i)
const cpuInputs = Array.from({ length: CPU_TASKS }, () => FIB_N)
// Warm every contender (workers started, code compiled) before anything is timed.
for (const c of Object.values(contenders)) {
  await c.run('workload.trivial', trivialInputs.slice(0, 2000))
  await c.run('workload.fib', [20, 20, 20, 20])
}

type Case = 'trivial' | 'cpu'
const rates: Record<Case, Record<string, number[]>> = { trivial: {}, cpu: {} }

async function timeIt(c: Contender, which: Case): Promise<void> {
  const [task, inputs] = which === 'trivial' ? ['workload.trivial', trivialInputs] : ['workload.fib', cpuInputs]
  const t0 = performance.now()
  await c.run(task, inputs)
  const rate = inputs.length / ((performance.now() - t0) / 1000)
  ;(rates[which][c.name] ??= []).push(rate)
  c.after?.()
}

// Main thread alone, for the CPU-bound speed-up.
const seq: number[] = []
const all = Object.values(contenders)
for (let r = 0; r < REPEAT; r++) {
  const order = r % 2 === 0 ? all : [...all].reverse()
  for (const c of order) await timeIt(c, 'trivial')
  // A CPU round is short (about 0.1 s) and the machine is shared: take several per repeat.
  for (let k = 0; k < CPU_ROUNDS; k++)
    for (const c of k % 2 === 0 ? order : [...order].reverse()) await timeIt(c, 'cpu')
  const t0 = performance.now()
  for (const n of cpuInputs) fib(n)
  seq.push(CPU_TASKS / ((performance.now() - t0) / 1000))
  process.stderr.write(`repeat ${r + 1}/${REPEAT} done\n`)
}
for (const c of [contenders.thread, contenders.process, contenders.piscina, contenders.tinypool]) await c.close()
await baseline.close()

function python(): Record<string, number> | null {
  try {
    const out = execFileSync(
      'python3',
      [join(root, 'bench/pool_bench.py'), String(WORKERS), String(CPU_TASKS), String(FIB_N), String(REPEAT)],
      { encoding: 'utf8', timeout: 300_000 },
    )
    return JSON.parse(out) as Record<string, number>
  } catch (err) {
    process.stderr.write(`python3 skipped: ${(err as Error).message.split('\n')[0]}\n`)
    return null
  }
}
const py = python()

const med = (which: Case, name: string): number => median(rates[which][name])
/** Median of the per-repeat ratios: each pair ran in the same repeat, so drift cancels. */
const pairRatio = (which: Case, a: string, b: string): number =>
  median(rates[which][a].map((x, i) => x / rates[which][b][i]))
/** A ratio now and the same ratio with the pools as they were before, measured in this run. */
const nowAndBefore = (
  which: Case,
  a: string,
  b: string,
  aBefore: string,
  bBefore: string,
): { now: number; before: number } => ({
  now: pairRatio(which, a, b),
  before: pairRatio(which, aBefore, bBefore),
})
const ratios = {
  'ThreadPool / piscina, trivial': nowAndBefore('trivial', 'our ThreadPool', 'piscina', 'ThreadPool before', 'piscina'),
  'ThreadPool / piscina, cpu': nowAndBefore('cpu', 'our ThreadPool', 'piscina', 'ThreadPool before', 'piscina'),
  'ProcessPool / ThreadPool, trivial': nowAndBefore(
    'trivial',
    'our ProcessPool',
    'our ThreadPool',
    'ProcessPool before',
    'ThreadPool before',
  ),
  'ProcessPool / ThreadPool, cpu': nowAndBefore(
    'cpu',
    'our ProcessPool',
    'our ThreadPool',
    'ProcessPool before',
    'ThreadPool before',
  ),
  'ProcessPool / tinypool child_process, trivial': nowAndBefore(
    'trivial',
    'our ProcessPool',
    'tinypool child_process',
    'ProcessPool before',
    'tinypool child_process',
  ),
  'ProcessPool / tinypool child_process, cpu': nowAndBefore(
    'cpu',
    'our ProcessPool',
    'tinypool child_process',
    'ProcessPool before',
    'tinypool child_process',
  ),
}
const report = {
  date: new Date().toISOString(),
  node: process.version,
  workers: WORKERS,
  repeat: REPEAT,
  baseline: baseline.commit,
  tasks: { trivial: TRIVIAL, cpu: `${CPU_TASKS} x fib(${FIB_N})` },
  tasksPerSecond: {
    trivial: Object.fromEntries(Object.keys(rates.trivial).map((n) => [n, Math.round(med('trivial', n))])),
    cpu: {
      ...Object.fromEntries(Object.keys(rates.cpu).map((n) => [n, Math.round(med('cpu', n))])),
      'main thread alone': Math.round(median(seq)),
    },
  },
  ratios,
  'ThreadPool now / before, trivial': pairRatio('trivial', 'our ThreadPool', 'ThreadPool before'),
  'ProcessPool now / before, trivial': pairRatio('trivial', 'our ProcessPool', 'ProcessPool before'),
  'ThreadPool speed-up vs main thread, cpu': med('cpu', 'our ThreadPool') / median(seq),
  python: py,
  targets: {
    'ThreadPool >= 0.9x piscina on trivial': ratios['ThreadPool / piscina, trivial'].now >= 0.9,
    'ThreadPool within 5% of piscina on cpu': Math.abs(ratios['ThreadPool / piscina, cpu'].now - 1) <= 0.05,
    'ProcessPool >= 1.0x tinypool child_process on trivial':
      ratios['ProcessPool / tinypool child_process, trivial'].now >= 1,
    'ThreadPool trivial rate >= 0.95x before (callbacks, timeouts, on-demand start cost <= 5 %)':
      pairRatio('trivial', 'our ThreadPool', 'ThreadPool before') >= 0.95,
  },
}
const fmt = (x: number): string => x.toFixed(2)
console.log(`Pools, ${WORKERS} workers, medians of ${REPEAT} repeats (tasks/s); "before" = commit ${baseline.commit}`)
for (const which of ['trivial', 'cpu'] as const) {
  console.log(`  ${which === 'trivial' ? `trivial x ${TRIVIAL}` : `fib(${FIB_N}) x ${CPU_TASKS}`}:`)
  for (const [n, v] of Object.entries(report.tasksPerSecond[which]))
    console.log(`    ${n.padEnd(24)} ${String(v).padStart(8)}`)
}
if (py) for (const [n, v] of Object.entries(py)) console.log(`    python ${n.padEnd(17)} ${v.toFixed(1).padStart(8)}`)
console.log('  ratios (median of per-repeat ratios)                now   before')
for (const [n, v] of Object.entries(ratios))
  console.log(`    ${n.padEnd(48)} ${fmt(v.now).padStart(5)}   ${fmt(v.before).padStart(5)}`)
console.log(
  `    ${'ThreadPool now / before, trivial'.padEnd(48)} ${fmt(report['ThreadPool now / before, trivial']).padStart(5)}`,
)
console.log(
  `    ${'ProcessPool now / before, trivial'.padEnd(48)} ${fmt(report['ProcessPool now / before, trivial']).padStart(5)}`,
)
for (const [n, ok] of Object.entries(report.targets)) console.log(`  target ${n}: ${ok ? 'met' : 'MISSED'}`)
mkdirSync(join(root, 'bench/results'), { recursive: true })
writeFileSync(join(root, 'bench/results/pool.json'), JSON.stringify(report, null, 2) + '\n')
