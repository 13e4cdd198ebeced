// Pool throughput, side by side in one run with 2 workers: our ThreadPool (instrumentation on) vs piscina on trivial
// and CPU-bound tasks, our ProcessPool vs our ThreadPool, and Python's executors on the same CPU-bound task.
// Repeats alternate the order of contenders; the report gives medians and ratios. Not a test: the machine is noisy.
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Piscina } from 'piscina'
// @ts-expect-error: plain ESM script without types
import { buildLabHost } from '../scripts/build-lab.mjs'
import { ProcessPool, ThreadPool } from '../src/main/lab/pools/kinds'
import type { Pool } from '../src/main/lab/pools/pool'
import { standalonePoolDeps } from '../src/main/lab/pools/standalone'
import { fib } from '../src/main/lab/pools/workloads'
import { median } from './stats'

const REPEAT = Number(process.env.REPEAT ?? 7)
const WORKERS = 2
const TRIVIAL = Number(process.env.TRIVIAL ?? 20_000)
const CPU_TASKS = 40
const CPU_ROUNDS = 5
const FIB_N = 27
const root = fileURLToPath(new URL('..', import.meta.url))

await buildLabHost()

type Contender = { name: string; run: (task: string, inputs: number[]) => Promise<unknown[]>; after?: () => void; close: () => Promise<void> }

function ours(pool: Pool, name: string): Contender {
  const deps = pool as unknown as { deps: { outbox: { drain(): unknown } } }
  return {
    name,
    run: (task, inputs) => Promise.all(inputs.map((x) => pool.submit(task, x).result())),
    // The task events are collected (instrumentation on); a lab's tick would drain them later, outside the timing.
    after: () => void deps.deps.outbox.drain(),
    close: () => pool.shutdown(),
  }
}

function piscina(): Contender {
  const p = new Piscina({ filename: join(root, 'out/lab/piscina-worker.mjs'), minThreads: WORKERS, maxThreads: WORKERS, idleTimeout: 60_000 })
  return {
    name: 'piscina',
    run: (task, inputs) => Promise.all(inputs.map((x) => p.run({ name: task, args: [x] }))),
    close: () => p.destroy(),
  }
}

const threadPool = new ThreadPool({ size: WORKERS, name: 'bench threads', start: 'eager', taskEvents: true }, standalonePoolDeps())
const processPool = new ProcessPool({ size: WORKERS, name: 'bench processes', start: 'eager', taskEvents: true }, standalonePoolDeps())
await Promise.all([threadPool.ready(), processPool.ready()])
const contenders = { thread: ours(threadPool, 'our ThreadPool'), process: ours(processPool, 'our ProcessPool'), piscina: piscina() }

const trivialInputs = Array.from({ length: TRIVIAL }, (_, i) => i)
const cpuInputs = Array.from({ length: CPU_TASKS }, () => FIB_N)
// Warm every contender (threads started, code compiled) before anything is timed.
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
for (let r = 0; r < REPEAT; r++) {
  const order = r % 2 === 0 ? [contenders.thread, contenders.piscina, contenders.process] : [contenders.piscina, contenders.thread, contenders.process]
  for (const c of order) await timeIt(c, 'trivial')
  // A CPU round is short (about 0.1 s) and the machine is shared: take several per repeat.
  for (let k = 0; k < CPU_ROUNDS; k++) for (const c of k % 2 === 0 ? order : [...order].reverse()) await timeIt(c, 'cpu')
  const t0 = performance.now()
  for (const n of cpuInputs) fib(n)
  seq.push(CPU_TASKS / ((performance.now() - t0) / 1000))
  process.stderr.write(`repeat ${r + 1}/${REPEAT} done\n`)
}
for (const c of Object.values(contenders)) await c.close()

function python(): Record<string, number> | null {
  try {
    const out = execFileSync('python3', [join(root, 'bench/pool_bench.py'), String(WORKERS), String(CPU_TASKS), String(FIB_N), String(REPEAT)], { encoding: 'utf8', timeout: 300_000 })
    return JSON.parse(out) as Record<string, number>
  } catch (err) {
    process.stderr.write(`python3 skipped: ${(err as Error).message.split('\n')[0]}\n`)
    return null
  }
}
const py = python()

const med = (which: Case, name: string): number => median(rates[which][name])
/** Median of the per-repeat ratios: each pair ran back to back, so drift cancels. */
const pairRatio = (which: Case, a: string, b: string): number => median(rates[which][a].map((x, i) => x / rates[which][b][i]))
const report = {
  date: new Date().toISOString(),
  node: process.version,
  workers: WORKERS,
  repeat: REPEAT,
  tasks: { trivial: TRIVIAL, cpu: `${CPU_TASKS} x fib(${FIB_N})` },
  tasksPerSecond: {
    trivial: Object.fromEntries(Object.keys(rates.trivial).map((n) => [n, Math.round(med('trivial', n))])),
    cpu: { ...Object.fromEntries(Object.keys(rates.cpu).map((n) => [n, Math.round(med('cpu', n))])), 'main thread alone': Math.round(median(seq)) },
  },
  ratios: {
    'ThreadPool / piscina, trivial': pairRatio('trivial', 'our ThreadPool', 'piscina'),
    'ThreadPool / piscina, cpu': pairRatio('cpu', 'our ThreadPool', 'piscina'),
    'ProcessPool / ThreadPool, trivial': pairRatio('trivial', 'our ProcessPool', 'our ThreadPool'),
    'ProcessPool / ThreadPool, cpu': pairRatio('cpu', 'our ProcessPool', 'our ThreadPool'),
    'ThreadPool speed-up vs main thread, cpu': med('cpu', 'our ThreadPool') / median(seq),
  },
  python: py,
  targets: {
    'ThreadPool >= 0.9x piscina on trivial': pairRatio('trivial', 'our ThreadPool', 'piscina') >= 0.9,
    'ThreadPool within 5% of piscina on cpu': Math.abs(pairRatio('cpu', 'our ThreadPool', 'piscina') - 1) <= 0.05,
  },
}
const fmt = (x: number): string => x.toFixed(2)
console.log(`Pools, ${WORKERS} workers, medians of ${REPEAT} repeats (tasks/s)`)
for (const which of ['trivial', 'cpu'] as const) {
  console.log(`  ${which === 'trivial' ? `trivial x ${TRIVIAL}` : `fib(${FIB_N}) x ${CPU_TASKS}`}:`)
  for (const [n, v] of Object.entries(report.tasksPerSecond[which])) console.log(`    ${n.padEnd(20)} ${String(v).padStart(8)}`)
}
if (py) for (const [n, v] of Object.entries(py)) console.log(`    python ${n.padEnd(13)} ${v.toFixed(1).padStart(8)}`)
console.log('  ratios (median of per-repeat ratios):')
for (const [n, v] of Object.entries(report.ratios)) console.log(`    ${n.padEnd(42)} ${fmt(v)}`)
for (const [n, ok] of Object.entries(report.targets)) console.log(`  target ${n}: ${ok ? 'met' : 'MISSED'}`)
mkdirSync(join(root, 'bench/results'), { recursive: true })
writeFileSync(join(root, 'bench/results/pool.json'), JSON.stringify(report, null, 2) + '\n')
