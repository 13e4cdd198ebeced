// Soak: one lab (in its own process, driven over the browser mode's WebSocket like the app) through 1,000 start/stop
// cycles and then a mixed session of BENCH_MINUTES (default 10): scenarios, a watched Python pool and comparisons.
// Reports RSS, file descriptors, threads and snapshot size at the start and the end (at once, and again after 15 s quiet), the longest gap between ticks and
// the slowest reply to a `snapshot` probe sent every 200 ms on a second connection (p50 / p99 / max).
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os, { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import type { ServerFrame } from '../src/shared/wire'
import { LAB_ENV, LAB_V8_FLAGS } from '../scripts/lab-flags.mjs'
import { quantile } from './stats'

const benchStart = performance.now()
const CYCLES = Number(process.env.BENCH_CYCLES ?? 1000)
const MINUTES = Number(process.env.BENCH_MINUTES ?? 10)
const INTERVAL_MS = 200
const PROBE_MS = 200
const SETTLE_MS = 15_000

interface Footprint {
  rssMb: number
  fds: number
  threads: number
  snapshotBytes: number
}

const scratch = mkdtempSync(join(tmpdir(), 'soak-'))
const programsDir = join(scratch, 'programs')
mkdirSync(programsDir)
writeFileSync(
  join(programsDir, 'py-pool.json'),
  JSON.stringify({
    id: 'soak-py-pool',
    title: 'A Python pool',
    command: 'python3',
    args: [
      '-c',
      'import multiprocessing as mp\ndef f(n):\n  return sum(i*i for i in range(n))\nif __name__ == "__main__":\n  with mp.Pool(2) as p: print(sum(p.map(f, [300000]*40)))',
    ],
  }),
)

const child = spawn(
  process.execPath,
  [
    ...LAB_V8_FLAGS,
    // More node flags for the lab's process, for example `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it.
    ...(process.env.SOAK_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
    '--import',
    'tsx',
    'bench/soak-lab.ts',
  ],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      // As the desktop app's main process starts (scripts/lab-flags.mjs).
      ...LAB_ENV,
      ...process.env,
      SOAK_INTERVAL_MS: String(INTERVAL_MS),
      PARALLEL_LAB_PROGRAMS_DIR: programsDir,
      PARALLEL_LAB_STATE_DIR: join(scratch, 'state'),
      // Its sessions are recorded as the app records them, into the bench's own folder.
      PARALLEL_LAB_SESSIONS_DIR: join(scratch, 'sessions'),
    },
  },
)
let labOutput = ''
child.stdout!.on('data', (d: Buffer) => (labOutput += d.toString()))
const address = await new Promise<{ port: number; token: string; origin: string; pid: number }>((resolve) => {
  let buf = ''
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString()
    if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0]))
  })
})

/** One connection: numbered calls, replies paired by id; ticks counted on the driver's connection. */
class Client {
  private next = 1
  private readonly waiting = new Map<number, (frame: ServerFrame) => void>()
  readonly ws: WebSocket
  tickAt: number[] = []
  maxGapMs = 0
  lastTick = 0
  /** The tick that ended the longest gap: its own sampling cost and the lab's CPU since the tick before. */
  maxGapTick: { costMs: number; labCpuMs: number | null; samples: number; phase: string; atSecond: number } | null =
    null
  /** Gaps above twice the interval, by phase. */
  longGaps: Record<string, number> = {}
  /** What the driver is doing, so the longest gap can be placed. */
  phase = 'start'
  constructor(readonly countTicks: boolean) {
    this.ws = new WebSocket(`ws://127.0.0.1:${address.port}/ws?token=${address.token}`, { origin: address.origin })
    this.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as ServerFrame
      if ('id' in frame) {
        this.waiting.get(frame.id)?.(frame)
        this.waiting.delete(frame.id)
      } else if (frame.event === 'tick' && this.countTicks) {
        const now = performance.now()
        if (this.lastTick > 0 && now - this.lastTick > 2 * INTERVAL_MS)
          this.longGaps[this.phase] = (this.longGaps[this.phase] ?? 0) + 1
        if (this.lastTick > 0 && now - this.lastTick > this.maxGapMs) {
          this.maxGapMs = now - this.lastTick
          const tick = frame.payload
          this.maxGapTick = {
            costMs: tick.sampler.costMs,
            labCpuMs: tick.sampler.labCpuMs,
            samples: tick.samples.length,
            phase: this.phase,
            atSecond: Math.round((now - benchStart) / 100) / 10,
          }
        }
        this.lastTick = now
      }
    })
  }
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve())
      this.ws.once('error', reject)
    })
  }
  async call<T = unknown>(cmd: string, payload?: unknown): Promise<{ value: T; ms: number }> {
    const id = this.next++
    const t0 = performance.now()
    const frame = await new Promise<ServerFrame>((resolve) => {
      this.waiting.set(id, resolve)
      this.ws.send(JSON.stringify(payload === undefined ? { id, cmd } : { id, cmd, payload }))
    })
    const ms = performance.now() - t0
    if (!('id' in frame) || !frame.reply.ok)
      throw new Error(`${cmd} failed: ${'id' in frame && !frame.reply.ok ? frame.reply.error.message : '?'}`)
    return { value: frame.reply.value as T, ms }
  }
}

function footprint(snapshotBytes: number): Footprint {
  const status = readFileSync(`/proc/${address.pid}/status`, 'utf8')
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN)
  return {
    rssMb: field('VmRSS') / 1024,
    fds: readdirSync(`/proc/${address.pid}/fd`).length,
    threads: field('Threads'),
    snapshotBytes,
  }
}

const driver = new Client(true)
const prober = new Client(false)
await Promise.all([driver.open(), prober.open()])
const snapshotBytes = async (): Promise<number> =>
  Buffer.byteLength(JSON.stringify((await driver.call('snapshot')).value))

// The probe: a snapshot every 200 ms on its own connection, whatever the driver is doing.
const probeMs: number[] = []
let probing = true
const probe = (async () => {
  while (probing) {
    probeMs.push((await prober.call('snapshot')).ms)
    await new Promise((r) => setTimeout(r, PROBE_MS))
  }
})()

await new Promise((r) => setTimeout(r, 2000))
const start = footprint(await snapshotBytes())
const loadStart = os.loadavg()[0]
process.stderr.write(`soak: start ${JSON.stringify(start)}\n`)

const cycleMs: number[] = []
driver.phase = 'cycles'
const t0 = performance.now()
for (let i = 0; i < CYCLES; i++) {
  const c0 = performance.now()
  const run = (
    await driver.call<{ id: string }>('start', {
      scenario: 'counters',
      params: { mode: i % 5 === 0 ? 'process' : 'thread', workers: 2, loop: true },
    })
  ).value
  await driver.call('stop', { runId: run.id })
  cycleMs.push(performance.now() - c0)
  if (i % 100 === 99) process.stderr.write(`soak: ${i + 1} cycles\n`)
}
const cyclesSeconds = (performance.now() - t0) / 1000
const afterCycles = footprint(await snapshotBytes())
process.stderr.write(`soak: after cycles ${JSON.stringify(afterCycles)}\n`)
// The same once the lab has been quiet for a while (ticks go on): what V8 gives back when the bursts stop.
await new Promise((r) => setTimeout(r, SETTLE_MS))
const afterCyclesSettled = footprint(await snapshotBytes())
process.stderr.write(`soak: after cycles, settled ${JSON.stringify(afterCyclesSettled)}\n`)

// The mixed session: scenarios, the watched Python pool and a comparison, round after round.
driver.phase = 'mixed'
const mixEnd = performance.now() + MINUTES * 60_000
let rounds = 0
const stopAfter = async (scenario: string, params: Record<string, unknown>, ms: number): Promise<void> => {
  const run = (await driver.call<{ id: string }>('start', { scenario, params })).value
  await new Promise((r) => setTimeout(r, ms))
  await driver.call('stop', { runId: run.id })
}
while (performance.now() < mixEnd) {
  await Promise.all([
    stopAfter('counters', { mode: 'process', workers: 4, loop: true }, 1500),
    stopAfter('queue', { mode: 'thread', items: 200, delay: 5 }, 1500),
    stopAfter('pool-async', { count: 200 }, 2000),
    stopAfter('soak-py-pool', {}, 4000),
    driver.call('compare', {
      workload: 'cpu',
      strategies: ['seq', 'thread', 'process'],
      sizes: [2],
      tasks: 20,
      repeat: 1,
      params: { taskMs: 20 },
    }),
  ])
  rounds++
  process.stderr.write(`soak: mixed round ${rounds}\n`)
}
driver.phase = 'end'
await new Promise((r) => setTimeout(r, 2000))
const end = footprint(await snapshotBytes())
probing = false
await probe
await new Promise((r) => setTimeout(r, SETTLE_MS))
const endSettled = footprint(await snapshotBytes())

driver.ws.close()
prober.ws.close()
child.kill('SIGTERM')
await new Promise((r) => child.once('exit', r))
const labReport = JSON.parse(labOutput.trim().split('\n').at(-1) ?? '{}') as { eventLoopDelayMs?: unknown }

const result = {
  machine: { cores: os.cpus().length, node: process.version, loadAverage: { start: loadStart, end: os.loadavg()[0] } },
  cycles: {
    count: CYCLES,
    seconds: cyclesSeconds,
    cycleMsMedian: quantile(cycleMs, 0.5),
    cycleMsP99: quantile(cycleMs, 0.99),
  },
  mixed: { minutes: MINUTES, rounds },
  settleSeconds: SETTLE_MS / 1000,
  start,
  afterCycles,
  afterCyclesSettled,
  end,
  endSettled,
  rssGrowthMb: {
    cycles: afterCycles.rssMb - start.rssMb,
    cyclesSettled: afterCyclesSettled.rssMb - start.rssMb,
    end: end.rssMb - start.rssMb,
    endSettled: endSettled.rssMb - start.rssMb,
  },
  intervalMs: INTERVAL_MS,
  longestTickGapMs: driver.maxGapMs,
  longestGapTick: driver.maxGapTick,
  gapsOver2xInterval: driver.longGaps,
  labEventLoopDelayMs: labReport.eventLoopDelayMs ?? null,
  snapshotReplyMs: {
    count: probeMs.length,
    p50: quantile(probeMs, 0.5),
    p99: quantile(probeMs, 0.99),
    max: Math.max(...probeMs),
  },
}
console.log(JSON.stringify(result, null, 2))
mkdirSync('bench/results', { recursive: true })
writeFileSync('bench/results/soak.json', JSON.stringify(result, null, 2) + '\n')
rmSync(scratch, { recursive: true, force: true })
