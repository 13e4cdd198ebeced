// Sampler cost per tick for 8, 32 and 64 live units (half threads, half processes):
// the procfs collector and pidusage side by side, in one run, on the same units.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
// @ts-expect-error: plain ESM script without types
import { buildLabHost } from '../scripts/build-lab.mjs'
import { scenarios } from '../scenarios/index'
import { Lab } from '../src/main/lab/lab'
import type { SampleTarget } from '../src/main/lab/sampling/collector'
import { PidusageCollector } from '../src/main/lab/sampling/portable/collector'
import { ProcFsCollector } from '../src/main/lab/sampling/linux/collector'
import { Sampler, type SelfReport } from '../src/main/lab/sampling/sampler'
import { targetOf } from '../src/main/lab/scheduler'
import { median, p95 } from './stats'

// The lab's runs are recorded into the bench's own folder, not the person's session library.
const scratch = mkdtempSync(join(tmpdir(), 'bench-sampler-'))
process.env.PARALLEL_LAB_SESSIONS_DIR = join(scratch, 'sessions')
process.env.PARALLEL_LAB_STATE_DIR = join(scratch, 'state')

const ROUNDS = Number(process.env.ROUNDS ?? 300)
const SIZES = [8, 32, 64]
const INTERVAL_MS = 500

await buildLabHost()
const lab = new Lab({ scenarios, autoStart: false })
// Idle units (duty 0): what is measured is the sampler, not the load.
for (const mode of ['thread', 'process'] as const) {
  await lab.start({ scenario: 'spin', params: { mode, workers: 32, seconds: 0, duty: 0 } })
}
let targets: SampleTarget[] = []
for (let i = 0; i < 200 && targets.length < 64; i++) {
  await new Promise((r) => setTimeout(r, 100))
  targets = (await lab.snapshot()).units
    .filter((u) => u.kind !== 'main' && u.state !== 'starting')
    .flatMap((u) => targetOf(u) ?? [])
}
const threads = targets.filter((t) => t.tid !== null)
const procs = targets.filter((t) => t.tid === null)
console.log(`units up: ${threads.length} threads, ${procs.length} processes; ${ROUNDS} ticks per collector and size`)

type Row = { units: number; collector: string; sees: number; medianMs: number; p95Ms: number; corePct: number }
const rows: Row[] = []
for (const size of SIZES) {
  const set = [...threads.slice(0, size / 2), ...procs.slice(0, size / 2)]
  const samplers = { procfs: new Sampler(new ProcFsCollector()), pidusage: new Sampler(new PidusageCollector()) }
  const costs: Record<string, number[]> = { procfs: [], pidusage: [] }
  const sees: Record<string, number> = { procfs: 0, pidusage: 0 }
  const empty = new Map<string, SelfReport>()
  // Warm both (pidusage's first call runs getconf), then alternate so both see the same machine noise.
  for (const s of Object.values(samplers)) await s.sample(set, empty)
  for (let i = 0; i < ROUNDS; i++) {
    for (const [name, s] of Object.entries(samplers)) {
      const r = await s.sample(set, empty)
      costs[name].push(r.costMs)
      sees[name] = r.samples.filter((x) => x.cpuSeconds !== null).length
    }
  }
  for (const [name, s] of Object.entries(samplers)) {
    const m = median(costs[name])
    rows.push({
      units: size,
      collector: name,
      sees: sees[name],
      medianMs: m,
      p95Ms: p95(costs[name]),
      corePct: (m / INTERVAL_MS) * 100,
    })
    s.close()
  }
}
await lab.close()

console.log('\nunits  collector  sampled  median ms  p95 ms  % of one core at 500 ms')
for (const r of rows) {
  console.log(
    `${String(r.units).padStart(5)}  ${r.collector.padEnd(9)}  ${String(r.sees).padStart(7)}  ${r.medianMs.toFixed(3).padStart(9)}  ${r.p95Ms.toFixed(3).padStart(6)}  ${r.corePct.toFixed(3).padStart(8)}`,
  )
}
for (const size of SIZES) {
  const [a, b] = ['procfs', 'pidusage'].map((c) => rows.find((r) => r.units === size && r.collector === c)!)
  console.log(
    `${size} units: pidusage / procfs median cost = ${(b.medianMs / a.medianMs).toFixed(1)}x (pidusage samples only the ${b.sees} processes)`,
  )
}
mkdirSync('bench/results', { recursive: true })
writeFileSync(
  'bench/results/sampler.json',
  JSON.stringify({ date: new Date().toISOString(), rounds: ROUNDS, rows }, null, 2),
)
rmSync(scratch, { recursive: true, force: true })
