// A comparison run: every strategy x pool size on one workload, repeated; progress as it goes, cancellable, and a
// result with medians and spreads per strategy plus the timeline of each one's last repeat (for Gantts and traces).
import os from 'node:os'
import type {
  CompareProgress,
  CompareRequest,
  CompareResult,
  CompareRow,
  CompareRun,
  CompareTask,
  CompareTrace,
  CpuSeries,
  StrategyId,
} from '../../../shared/compare/types'
import { STRATEGY_INFO } from '../../../shared/compare/types'
import { planModuleWorkload, planWorkload } from '../pools/workloads'
import { percentile, spread, spreadOf } from './stats'
import { runStrategy, type RawRun, type StrategyEnv } from './strategies'

export interface ComparisonEnv extends Omit<StrategyEnv, 'signal'> {
  onProgress?: (p: CompareProgress) => void
}

/** The sequential baseline always runs: speed-up needs it. Strategies on one thread (seq, async) run once, pooled ones once per size. */
export function planSteps(req: CompareRequest): { strategy: StrategyId; size: number; repeat: number }[] {
  const strategies: StrategyId[] = req.strategies.includes('seq') ? req.strategies : ['seq', ...req.strategies]
  const steps: { strategy: StrategyId; size: number; repeat: number }[] = []
  for (let repeat = 1; repeat <= req.repeat; repeat++) {
    for (const strategy of strategies) {
      for (const size of STRATEGY_INFO[strategy].pooled ? req.sizes : [1]) steps.push({ strategy, size, repeat })
    }
  }
  return steps
}

const CPU_BINS = 60

/** Each worker's CPU over the run (% of one core per bin), spreading each task's measured CPU over its bar. */
export function cpuSeries(raw: Pick<RawRun, 'lanes' | 'tasks' | 'wallMs'>): CpuSeries[] {
  const binMs = Math.max(raw.wallMs / CPU_BINS, 0.001)
  return raw.lanes.map((_, lane) => {
    const cpu = new Array<number>(CPU_BINS).fill(0)
    for (const t of raw.tasks) {
      if (t.lane !== lane || t.cpuMs === null) continue
      const span = Math.max(t.endedAt - t.startedAt, 1e-6)
      const first = Math.max(0, Math.floor(t.startedAt / binMs))
      const last = Math.min(CPU_BINS - 1, Math.floor(t.endedAt / binMs))
      for (let b = first; b <= last; b++) {
        const overlap = Math.min(t.endedAt, (b + 1) * binMs) - Math.max(t.startedAt, b * binMs)
        if (overlap > 0) cpu[b] += (t.cpuMs * overlap) / span
      }
    }
    return { lane, binMs, values: cpu.map((ms) => Math.min(100, Math.round((1000 * ms) / binMs) / 10)) }
  })
}

/** Time each lane had at least one task, summed over lanes: overlapping tasks on one thread (async) count once. */
export function busyTime(tasks: readonly CompareTask[]): number {
  const byLane = new Map<number, CompareTask[]>()
  for (const t of tasks) byLane.set(t.lane, [...(byLane.get(t.lane) ?? []), t])
  let busy = 0
  for (const list of byLane.values()) {
    list.sort((a, b) => a.startedAt - b.startedAt)
    let from = list[0].startedAt
    let to = list[0].endedAt
    for (const t of list) {
      if (t.startedAt > to) {
        busy += to - from
        from = t.startedAt
      }
      to = Math.max(to, t.endedAt)
    }
    busy += to - from
  }
  return busy
}

export function summarizeRun(raw: RawRun, strategy: StrategyId, size: number, repeat: number): CompareRun {
  const busyMs = busyTime(raw.tasks)
  const latency = raw.tasks.map((t) => t.doneAt - t.submittedAt)
  const wait = raw.tasks.map((t) => Math.max(0, t.startedAt - t.submittedAt))
  const wall = Math.max(raw.wallMs, 1e-6)
  return {
    strategy,
    size,
    repeat,
    wallMs: raw.wallMs,
    startupMs: raw.startupMs,
    endToEndMs: raw.wallMs + (STRATEGY_INFO[strategy].pooled ? raw.startupMs : 0),
    firstResultMs: raw.firstResultMs,
    busyMs,
    efficiency: busyMs / (raw.workers * wall),
    throughput: raw.tasks.length / (wall / 1000),
    latencyP50: percentile(latency, 0.5),
    latencyP95: percentile(latency, 0.95),
    queueWaitP50: percentile(wait, 0.5),
    queueWaitP95: percentile(wait, 0.95),
    cpuMs: raw.cpuMs,
    peakMemBytes: raw.peakMemBytes,
    tasks: raw.tasks.length,
    failed: raw.failed,
  }
}

export function summarizeRows(runs: readonly CompareRun[]): CompareRow[] {
  const groups = new Map<string, CompareRun[]>()
  for (const r of runs) {
    const key = `${r.strategy}|${r.size}`
    groups.set(key, [...(groups.get(key) ?? []), r])
  }
  const seq = runs.filter((r) => r.strategy === 'seq')
  const seqWall = seq.length > 0 ? spread(seq.map((r) => r.wallMs)).median : null
  return [...groups.values()].map((g) => {
    const wallMs = spread(g.map((r) => r.wallMs))
    const endToEnd = spread(g.map((r) => r.endToEndMs)).median
    return {
      strategy: g[0].strategy,
      size: g[0].size,
      runs: g.length,
      wallMs,
      speedup: seqWall === null || wallMs.median <= 0 ? null : seqWall / wallMs.median,
      speedupWithStartup: seqWall === null || endToEnd <= 0 ? null : seqWall / endToEnd,
      efficiency: spread(g.map((r) => r.efficiency)),
      throughput: spread(g.map((r) => r.throughput)),
      latencyP50: spread(g.map((r) => r.latencyP50)),
      latencyP95: spread(g.map((r) => r.latencyP95)),
      queueWaitP50: spread(g.map((r) => r.queueWaitP50)),
      startupMs: spread(g.map((r) => r.startupMs)),
      firstResultMs: spreadOf(g.map((r) => r.firstResultMs)),
      cpuMs: spreadOf(g.map((r) => r.cpuMs)),
      peakMemBytes: spreadOf(g.map((r) => r.peakMemBytes)),
      failed: g.reduce((s, r) => s + r.failed, 0),
    }
  })
}

export class Comparison {
  private readonly abort = new AbortController()
  private latest: CompareProgress

  constructor(
    readonly id: string,
    readonly request: CompareRequest,
    private readonly env: ComparisonEnv,
  ) {
    this.latest = {
      id,
      done: 0,
      total: planSteps(request).length,
      strategy: null,
      size: null,
      repeat: null,
      phase: 'running',
    }
  }

  get progress(): CompareProgress {
    return { ...this.latest }
  }

  cancel(): void {
    this.abort.abort()
  }

  private report(p: Partial<CompareProgress>): void {
    this.latest = { ...this.latest, ...p }
    this.env.onProgress?.(this.progress)
  }

  async run(): Promise<CompareResult> {
    const startedAt = new Date().toISOString()
    const steps = planSteps(this.request)
    const runs: CompareRun[] = []
    const traces = new Map<string, CompareTrace>()
    let describe = ''
    let taskCostMs: number | null = null
    for (const [i, step] of steps.entries()) {
      if (this.abort.signal.aborted) break
      this.report({ done: i, strategy: step.strategy, size: step.size, repeat: step.repeat })
      // A fresh plan per run: transferred buffers are gone once sent.
      const { module } = this.env
      const plan = module
        ? planModuleWorkload(module)
        : planWorkload(this.request.workload, this.request.tasks, this.request.params)
      describe = plan.describe
      taskCostMs = plan.costMs[plan.costMs.length - 1] ?? null
      const raw = await runStrategy(step.strategy, step.size, plan, { ...this.env, signal: this.abort.signal })
      if (this.abort.signal.aborted) break
      runs.push(summarizeRun(raw, step.strategy, step.size, step.repeat))
      traces.set(`${step.strategy}|${step.size}`, {
        strategy: step.strategy,
        size: step.size,
        repeat: step.repeat,
        wallMs: raw.wallMs,
        lanes: raw.lanes,
        tasks: raw.tasks,
        cpu: cpuSeries(raw),
      })
    }
    const cancelled = this.abort.signal.aborted
    this.report({ done: runs.length, phase: cancelled ? 'cancelled' : 'done' })
    return {
      id: this.id,
      request: this.request,
      startedAt,
      finishedAt: new Date().toISOString(),
      cancelled,
      machine: { cores: os.cpus().length, platform: process.platform, node: process.version },
      workload: { describe, taskCostMs },
      ...(this.env.module ? { module: { file: this.env.module.file, task: this.env.module.task } } : {}),
      rows: summarizeRows(runs),
      runs,
      traces: [...traces.values()],
    }
  }
}
