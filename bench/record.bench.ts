// Session recording figures in one run: 64 units at 2 Hz for a simulated hour of ticks. Bytes per unit-sample against
// plain and gzipped NDJSON, recording cost per tick against the real sampler's cost for 64 units, open time, seek times.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { gzipSync } from 'node:zlib'
// @ts-expect-error: plain ESM script without types
import { buildLabHost } from '../scripts/build-lab.mjs'
import { scenarios } from '../scenarios/index'
import { Lab } from '../src/main/lab/lab'
import { SessionLibrary } from '../src/main/lab/recording/session-library'
import { RecordingWriter } from '../src/main/lab/recording/writer'
import { machineInfo } from '../src/main/lab/recording/machine-info'
import { ProcFsCollector } from '../src/main/lab/sampling/linux/collector'
import { Sampler, type SelfReport } from '../src/main/lab/sampling/sampler'
import { targetOf } from '../src/main/lab/scheduler'
import type { Sample, Tick, Unit } from '../src/shared/model'
import { FORMAT_VERSION, FRAME_HISTORY_MS, MAGIC } from '../src/shared/recording/format'
import { fakeUnit } from '../test/fixtures/unit'
import { median, p95 } from './stats'

const UNITS = 64
const HZ = 2
const SECONDS = Number(process.env.SECONDS_SIMULATED ?? 3600)
const TICKS = SECONDS * HZ
const SEEKS = 200

// 1. The sampler's real cost for 64 live units (idle spin units: half threads, half processes).
await buildLabHost()
const lab = new Lab({ scenarios, autoStart: false, recording: { enabled: false } })
for (const mode of ['thread', 'process'] as const)
  await lab.start({ scenario: 'spin', params: { mode, workers: UNITS / 2, seconds: 0, duty: 0 } })
let targets: ReturnType<typeof targetOf>[] = []
for (let i = 0; i < 200 && targets.length < UNITS; i++) {
  await new Promise((r) => setTimeout(r, 100))
  targets = (await lab.snapshot()).units
    .filter((u) => u.kind !== 'main' && u.state !== 'starting')
    .map(targetOf)
    .filter((t) => t !== null)
}
const sampler = new Sampler(new ProcFsCollector())
const empty = new Map<string, SelfReport>()
const live = targets.slice(0, UNITS).filter((t) => t !== null)
await sampler.sample(live, empty)
const samplerCosts: number[] = []
// CPU time too (this process's user + system, the /proc reads included): on a shared machine the wall times also count
// the waits for a core, and those swell the sampler's much more than the recorder's.
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const c = process.cpuUsage(since)
  return (c.user + c.system) / 1000
}
const samplerCpu0 = process.cpuUsage()
for (let i = 0; i < 200; i++) samplerCosts.push((await sampler.sample(live, empty)).costMs)
const samplerCpuMs = cpuMs(samplerCpu0) / 200
sampler.close()
await lab.close()

// 2. An hour of ticks shaped like the collector's: CPU from 10 ms clock ticks over a jittered interval, OS states that
//    persist, memory that moves in pages, cumulative CPU seconds.
let seed = 42
const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
const units: Unit[] = Array.from({ length: UNITS }, (_, i) =>
  fakeUnit(`u${i + 1}`, {
    kind: i < UNITS / 2 ? 'thread' : 'process',
    pid: 1000 + (i < UNITS / 2 ? 0 : i),
    tid: i < UNITS / 2 ? 2000 + i : null,
    parent: null,
    label: `pool / worker ${i + 1}`,
  }),
)
const cpuSeconds = units.map(() => 0)
const busy = units.map(() => rand())
const os = units.map(() => 'R')
const rss = units.map(() => 40e6 + Math.floor(rand() * 1000) * 4096)
function makeTick(seq: number): Tick {
  const dt = 500 + (rand() - 0.5) * 6
  const samples: Sample[] = units.map((u, i) => {
    if (rand() < 0.02) busy[i] = rand()
    const clk = Math.max(0, Math.min(50, Math.round(busy[i] * 50 + (rand() - 0.5) * 4)))
    cpuSeconds[i] += clk / 100
    if (rand() < 0.1) os[i] = os[i] === 'R' ? 'S' : 'R'
    if (rand() < 0.05) rss[i] += Math.floor((rand() - 0.5) * 16) * 4096
    return {
      id: u.id,
      cpu: seq === 0 ? null : (clk * 10 * 100) / dt,
      cpuSeconds: Math.round(cpuSeconds[i] * 100) / 100,
      rss: u.kind === 'process' ? rss[i] : null,
      heap: u.kind === 'thread' ? rss[i] / 8 : null,
      os: os[i],
    }
  })
  return {
    seq,
    t: seq * 500,
    units: seq === 0 ? units : [],
    samples,
    logs: [],
    events: [],
    machine: { cores: [rand() * 100, rand() * 100], memTotal: 24e9, memUsed: 8e9 },
    sampler: { intervalMs: 500, costMs: median(samplerCosts), labCpuMs: 0.5, collector: 'procfs' },
    transient: { processes: 0, cpuMs: 0, parents: [] },
  }
}

const dir = mkdtempSync(join(tmpdir(), 'plab-bench-rec-'))
const file = join(dir, 'hour.plrec')
const writer = new RecordingWriter(
  file,
  {
    magic: MAGIC,
    version: FORMAT_VERSION,
    startedAt: new Date().toISOString(),
    labT0: 0,
    source: 'bench',
    intervalMs: 500,
    keyframeEveryMs: 10_000,
    machine: machineInfo(),
    collector: 'procfs',
    labPid: process.pid,
    platform: process.platform,
  },
  { units: [], runs: [] },
  { flushMs: 3_600_000 },
)
let ndjsonBytes = 0
const ndjson: Buffer[] = []
const addCosts: number[] = []
let recordCpuMs = 0
for (let seq = 0; seq < TICKS; seq++) {
  const tick = makeTick(seq)
  const line = Buffer.from(JSON.stringify(tick) + '\n')
  ndjsonBytes += line.length
  ndjson.push(line)
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  writer.addTick(tick)
  // A flush each simulated second, as the timer does: its JSON and deflate are the recording's cost too.
  if (seq % HZ === HZ - 1) writer.flush()
  addCosts.push(performance.now() - t0)
  recordCpuMs += cpuMs(c0)
}
recordCpuMs /= TICKS
// Closing only waits for the last writes (every chunk was deflated in its flush, counted above).
const closeStart = performance.now()
await writer.close()
const drainMs = performance.now() - closeStart
const fileBytes = statSync(file).size
const gzNdjson = gzipSync(Buffer.concat(ndjson)).length
const unitSamples = TICKS * UNITS

// 3. Open and first frame the way the app does (the Sessions view's Open: openSession, then the frame at the first
//    tick with the history views draw), then seeks to random instants, each cold (decoded chunks forgotten first).
const library = new SessionLibrary(
  () => dir,
  () => null,
)
const name = basename(file)
const o0 = performance.now()
const opened = library.open(name)
library.frame(name, opened.startT, FRAME_HISTORY_MS)
const openMs = performance.now() - o0
const reader = library.reader(name)
const chunksInflatedByOpen = reader.inflated
const seekMs: number[] = []
// CPU time of the same seeks: on a shared machine the wall time also counts the waits for a core.
const seekCpuMs: number[] = []
for (let i = 0; i < SEEKS; i++) {
  const t = reader.firstT + rand() * reader.durationMs
  reader.dropCache()
  const c0 = process.cpuUsage()
  const s0 = performance.now()
  library.frame(name, t, FRAME_HISTORY_MS)
  seekMs.push(performance.now() - s0)
  const c = process.cpuUsage(c0)
  seekCpuMs.push((c.user + c.system) / 1000)
}
if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true })
else console.log(file)

// Means, not medians: a flush (JSON and deflate of the second's chunk) lands on every other tick, a keyframe on every
// twentieth, and they are part of the cost.
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length
const samplerMs = mean(samplerCosts)
const recordMs = mean(addCosts)
const rows = {
  units: UNITS,
  hz: HZ,
  secondsSimulated: SECONDS,
  ticks: TICKS,
  unitSamples,
  bytesPerUnitSample: {
    recording: fileBytes / unitSamples,
    ndjson: ndjsonBytes / unitSamples,
    ndjsonGzip: gzNdjson / unitSamples,
  },
  fileBytes,
  ndjsonBytes,
  ndjsonGzipBytes: gzNdjson,
  samplerMsPerTick: { mean: samplerMs, median: median(samplerCosts), p95: p95(samplerCosts) },
  recordMsPerTick: { mean: recordMs, median: median(addCosts), p95: p95(addCosts) },
  costShareOfSampler: recordMs / samplerMs,
  cpuMsPerTick: { sampler: samplerCpuMs, recording: recordCpuMs, share: recordCpuMs / samplerCpuMs },
  loadPerCore: loadavg()[0] / cpus().length,
  openMs,
  chunksInflatedByOpen,
  seekMs: { median: median(seekMs), p95: p95(seekMs) },
  seekCpuMs: { median: median(seekCpuMs), p95: p95(seekCpuMs) },
  closeDrainMs: drainMs,
}
console.log(`${UNITS} units at ${HZ} Hz for ${SECONDS} s = ${unitSamples} unit-samples (${TICKS} ticks)`)
console.log(
  `bytes per unit-sample: recording ${rows.bytesPerUnitSample.recording.toFixed(2)}  plain NDJSON ${rows.bytesPerUnitSample.ndjson.toFixed(1)}  gzipped NDJSON ${rows.bytesPerUnitSample.ndjsonGzip.toFixed(2)}  (target <= 8)`,
)
console.log(
  `file ${(fileBytes / 1e6).toFixed(2)} MB; NDJSON ${(ndjsonBytes / 1e6).toFixed(1)} MB; gzipped NDJSON ${(gzNdjson / 1e6).toFixed(2)} MB`,
)
console.log(
  `sampler ${samplerMs.toFixed(3)} ms/tick (mean; median ${rows.samplerMsPerTick.median.toFixed(3)}, 64 real units, procfs); recording ${recordMs.toFixed(3)} ms/tick (mean, encoding, JSON and deflate; median ${rows.recordMsPerTick.median.toFixed(3)}) = ${(rows.costShareOfSampler * 100).toFixed(1)} % of the sampler (target <= 5 %); load ${rows.loadPerCore.toFixed(1)} per core`,
)
console.log(
  `in CPU time: sampler ${samplerCpuMs.toFixed(3)} ms/tick, recording ${recordCpuMs.toFixed(3)} ms/tick = ${(rows.cpuMsPerTick.share * 100).toFixed(1)} % of the sampler`,
)
console.log(
  `open + first frame ${openMs.toFixed(1)} ms (${chunksInflatedByOpen} of ${reader.chunks.length} chunks inflated; target <= 1000); seek (frame with ${FRAME_HISTORY_MS / 1000} s of history) median ${rows.seekMs.median.toFixed(2)} ms, p95 ${rows.seekMs.p95.toFixed(2)} ms (target p95 <= 50); CPU time median ${rows.seekCpuMs.median.toFixed(2)} ms, p95 ${rows.seekCpuMs.p95.toFixed(2)} ms`,
)
// Scrubbing frame time in the app comes from the browser: the e2e spec plays a recording at x4 in Chromium and keeps it.
if (existsSync('bench/results/record-scrub.json')) {
  const s = JSON.parse(readFileSync('bench/results/record-scrub.json', 'utf8')) as {
    date: string
    medianMs: number
    p95Ms: number
    frames: number
    loadPerCore: number
    atRest?: { medianMs: number; p95Ms: number; frames: number }
  }
  const rest = s.atRest
    ? `; the same page at rest in the same run: median ${s.atRest.medianMs.toFixed(1)} ms, p95 ${s.atRest.p95Ms.toFixed(1)} ms over ${s.atRest.frames} frames`
    : ''
  console.log(
    `scrubbing in the app (playing x4, e2e/sessions.spec.ts, ${s.date}): frame median ${s.medianMs.toFixed(1)} ms, p95 ${s.p95Ms.toFixed(1)} ms over ${s.frames} frames, load ${s.loadPerCore.toFixed(1)} per core (target p95 <= 16.7)${rest}`,
  )
} else
  console.log(
    'scrubbing in the app: run "npx playwright test e2e/sessions.spec.ts" to measure it (written to bench/results/record-scrub.json)',
  )
mkdirSync('bench/results', { recursive: true })
writeFileSync('bench/results/record.json', JSON.stringify({ date: new Date().toISOString(), ...rows }, null, 2))
