// How each strategy runs a workload once, timing every task: in one worker thread of its own (one by one, or all at once
// with Promise.all), on our pools (one shared queue, or static chunks split up front), or on piscina. No task runs on
// the lab's thread.
import { join } from 'node:path'
import { Piscina } from 'piscina'
import type { CompareLane, CompareTask, StrategyId } from '../../../shared/compare/types'
import { packageRoot } from '../units/host-file'
import type { Mode } from '../units/protocol'
import type { TimedOutcome } from '../pools/piscina-worker'
import { Pool, type PoolDeps, type TaskRecord } from '../pools/pool'
import { makeInput, type ModuleWorkload, type WorkloadPlan } from '../pools/workloads'
import type { Future } from '../pools/future'
import { wait } from '../pools/results'
import { ResourceMeter } from './meter'

export interface StrategyEnv {
  deps: PoolDeps
  runId: string | null
  /** Aborting ends the run at once (its pool is killed); what finished is still returned. */
  signal: AbortSignal
  piscinaFile?: string
  /** A user's own function to compare instead of a built-in workload (its tasks come from this module). */
  module?: ModuleWorkload
}

/** One run of one strategy; task times are ms from its start, once its pool was up (start-up is kept apart). */
export interface RawRun {
  /** From creating the pool until every worker was up (seq and async: their one thread). */
  startupMs: number
  lanes: CompareLane[]
  tasks: CompareTask[]
  wallMs: number
  firstResultMs: number | null
  cpuMs: number | null
  peakMemBytes: number | null
  failed: number
  /** Workers that ran it (1 for seq and async). */
  workers: number
}

export function defaultPiscinaFile(): string {
  return join(packageRoot(), 'out', 'lab', 'piscina-worker.mjs')
}

function finish(
  t0: number,
  now: number,
  lanes: CompareLane[],
  tasks: CompareTask[],
  cost: { cpuMs: number | null; peakMemBytes: number | null },
  workers: number,
  startupMs = 0,
): RawRun {
  const { cpuMs, peakMemBytes } = cost
  const first = tasks.reduce((m, t) => Math.min(m, t.doneAt), Number.POSITIVE_INFINITY) + startupMs
  return {
    startupMs,
    lanes,
    tasks,
    wallMs: now - t0,
    firstResultMs: Number.isFinite(first) ? first : null,
    cpuMs,
    peakMemBytes,
    failed: tasks.filter((t) => !t.ok).length,
    workers,
  }
}

/**
 * Sequential (one plain loop) and async (Promise.all) run in a worker thread of their own, labelled so: the lab's
 * thread only coordinates, so ticks and commands go on while a 10 s baseline runs, and Stop ends it at once.
 */
async function onLoopThread(plan: WorkloadPlan, together: boolean, env: StrategyEnv): Promise<RawRun> {
  const { clock } = env.deps
  const created = clock.now()
  const name = together ? 'compare async: Promise.all on one thread' : 'compare sequential baseline: one plain loop'
  const pool = new Pool(env.deps, {
    kind: 'thread',
    size: 1,
    name,
    runId: env.runId,
    taskEvents: false,
    module: env.module?.file,
  })
  const meter = new ResourceMeter(() => [])
  const onAbort = (): void => void pool.kill()
  env.signal.addEventListener('abort', onAbort, { once: true })
  try {
    await pool.ready()
    if (env.signal.aborted) return finish(0, 0, [], [], meter.stop(), 1)
    const worker = pool.workerIds()[0]
    const unit = worker === undefined ? undefined : env.deps.spawner.units.get(worker)
    const lane: CompareLane = { label: unit?.label ?? name, pid: unit?.pid ?? process.pid, tid: unit?.tid ?? null }
    const t0 = clock.now()
    const future = pool.submit<{ times: number[]; cpu: (number | null)[]; failed: number }>(
      'workload.loop',
      plan.task,
      plan.recipes,
      together,
    )
    const outcome = await future.result().catch(() => null)
    const now = clock.now()
    const cost = meter.stop()
    await pool.shutdown()
    if (!outcome) return finish(t0, now, [lane], [], cost, 1, t0 - created)
    const tasks: CompareTask[] = plan.recipes.map((_, i) => {
      const startedAt = clock.fromAbs(outcome.times[2 * i]) - t0
      const endedAt = clock.fromAbs(outcome.times[2 * i + 1]) - t0
      return {
        id: i + 1,
        lane: 0,
        submittedAt: 0,
        startedAt,
        endedAt,
        doneAt: endedAt,
        cpuMs: outcome.cpu[i],
        ok: true,
      }
    })
    return { ...finish(t0, now, [lane], tasks, cost, 1, t0 - created), failed: outcome.failed }
  } finally {
    env.signal.removeEventListener('abort', onAbort)
    if (env.signal.aborted) await pool.kill()
  }
}

/** Splits inputs into `parts` contiguous blocks of near-equal length. */
export function staticChunks<T>(inputs: readonly T[], parts: number): T[][] {
  const size = Math.ceil(inputs.length / parts)
  const out: T[][] = []
  for (let i = 0; i < inputs.length; i += size) out.push(inputs.slice(i, i + size))
  return out
}

async function onPool(
  plan: WorkloadPlan,
  kind: Mode,
  size: number,
  isStatic: boolean,
  env: StrategyEnv,
): Promise<RawRun> {
  const { clock } = env.deps
  const created = clock.now()
  const records: TaskRecord[] = []
  const values = new Map<number, unknown>()
  // Every worker is started up front (start-up is timed apart), so that the timed part compares dispatch alone.
  const pool = new Pool(env.deps, {
    kind,
    size,
    name: `compare ${kind}${isStatic ? ' static' : ''} x${size}`,
    runId: env.runId,
    taskEvents: false,
    onRecord: (r) => records.push(r),
    start: 'eager',
    module: env.module?.file,
  })
  const pids = (): number[] =>
    kind === 'process'
      ? pool
          .workerIds()
          .map((id) => env.deps.spawner.units.get(id)?.pid ?? -1)
          .filter((p) => p > 0)
      : []
  const meter = new ResourceMeter(pids)
  const lanes = new Map<number, CompareLane>()
  const noteLane = (r: TaskRecord): void => {
    if (lanes.has(r.lane)) return
    const u = env.deps.spawner.units.get(r.worker)
    lanes.set(r.lane, { label: u?.label ?? `worker ${r.lane}`, pid: u?.pid ?? -1, tid: u?.tid ?? null })
  }
  const onAbort = (): void => void pool.kill()
  env.signal.addEventListener('abort', onAbort, { once: true })
  try {
    await pool.ready()
    if (env.signal.aborted) return finish(0, 0, [], [], meter.stop(), size)
    const t0 = clock.now()
    const futures = isStatic
      ? staticChunks(plan.recipes, size).map((chunk) =>
          pool.submit('pool.timedChunk', plan.task, plan.heavy ? chunk : chunk.map(makeInput)),
        )
      : await submitAll(plan, plan.heavy ? 2 * size : Number.POSITIVE_INFINITY, env.signal, (x) =>
          plan.transfer && kind === 'thread'
            ? pool.submitWith(plan.task, [x], { transfer: plan.transfer(x) })
            : pool.submit(plan.task, x),
        )
    futures.forEach((f) => f.addDoneCallback((d) => values.set(d.id, d.outcome())))
    await wait(futures)
    const now = clock.now()
    const cost = meter.stop()
    await pool.shutdown()
    records.forEach(noteLane)
    const ordered = [...lanes.keys()].sort((a, b) => a - b)
    const laneIndex = new Map(ordered.map((lane, i) => [lane, i]))
    const tasks = records.flatMap((r) => {
      const base = { lane: laneIndex.get(r.lane)!, submittedAt: r.submittedAt - t0, doneAt: r.doneAt - t0 }
      if (!isStatic)
        return [{ ...base, id: r.id, startedAt: r.startedAt - t0, endedAt: r.endedAt - t0, cpuMs: r.cpuMs, ok: r.ok }]
      return expandChunk(r, values.get(r.id), base, t0, clock.fromAbs.bind(clock))
    })
    return finish(
      t0,
      now,
      ordered.map((l) => lanes.get(l)!),
      tasks,
      cost,
      size,
      t0 - created,
    )
  } finally {
    env.signal.removeEventListener('abort', onAbort)
    if (env.signal.aborted) await pool.kill()
  }
}

/**
 * Submits one task per input, at most `window` unfinished at a time; each input is made only as its task is submitted,
 * so big payloads are never all held at once. Resolves with every future once the last one is submitted.
 */
function submitAll(
  plan: WorkloadPlan,
  window: number,
  signal: AbortSignal,
  submit: (input: unknown) => Future,
): Promise<Future[]> {
  const futures: Future[] = []
  let next = 0
  let open = 0
  return new Promise((resolve) => {
    const pump = (): void => {
      while (next < plan.recipes.length && open < window && !signal.aborted) {
        open++
        const f = submit(makeInput(plan.recipes[next++]))
        futures.push(f)
        f.addDoneCallback(() => {
          open--
          pump()
        })
      }
      if (next >= plan.recipes.length || signal.aborted) resolve(futures)
    }
    pump()
  })
}

/** A static chunk reports when each of its items started and ended and its CPU (else the chunk's is shared out by run time). */
function expandChunk(
  r: TaskRecord,
  outcome: unknown,
  base: { lane: number; submittedAt: number; doneAt: number },
  t0: number,
  fromAbs: (abs: number) => number,
): CompareTask[] {
  const o = outcome as { ok: boolean; value?: { times: number[]; cpu?: (number | null)[] } } | undefined
  const times = o?.ok ? o.value?.times : undefined
  const cpu = o?.ok ? o.value?.cpu : undefined
  if (!times)
    return [{ ...base, id: r.id, startedAt: r.startedAt - t0, endedAt: r.endedAt - t0, cpuMs: r.cpuMs, ok: r.ok }]
  const items = times.length / 2
  const runTotal = Math.max(1e-9, r.endedAt - r.startedAt)
  return Array.from({ length: items }, (_, i) => {
    const startedAt = fromAbs(times[2 * i]) - t0
    const endedAt = fromAbs(times[2 * i + 1]) - t0
    return {
      ...base,
      id: r.id * 100_000 + i,
      startedAt,
      endedAt,
      cpuMs: cpu?.[i] ?? (r.cpuMs === null ? null : (r.cpuMs * (endedAt - startedAt)) / runTotal),
      ok: true,
    }
  })
}

async function onPiscina(plan: WorkloadPlan, size: number, env: StrategyEnv): Promise<RawRun> {
  const { clock } = env.deps
  const created = clock.now()
  const meter = new ResourceMeter(() => [])
  const piscina = new Piscina({
    filename: env.piscinaFile ?? defaultPiscinaFile(),
    minThreads: size,
    maxThreads: size,
    idleTimeout: 60_000,
  })
  // piscina has no ready signal: one short task per thread (each keeps its thread busy for 1 ms, so the next goes to
  // another) makes every thread load the task file, as our workers have before they say hello.
  await Promise.all(
    Array.from({ length: size }, () =>
      piscina.run({ name: 'workload.sleep', args: [1], module: env.module?.file }, { name: 'timed' }),
    ),
  )
  if (env.signal.aborted) {
    await piscina.destroy().catch(() => undefined)
    return finish(0, 0, [], [], meter.stop(), size)
  }
  const t0 = clock.now()
  // One listener, not a signal per task: aborting ends piscina's threads, which fails what is still queued.
  const onAbort = (): void => void piscina.destroy()
  env.signal.addEventListener('abort', onAbort, { once: true })
  const laneOf = new Map<number, number>()
  const lanes: CompareLane[] = []
  const tasks: CompareTask[] = []
  try {
    const runOne = async (i: number): Promise<void> => {
      const x = makeInput(plan.recipes[i])
      const submittedAt = clock.now() - t0
      const transferList = plan.transfer ? (plan.transfer(x) as ArrayBuffer[]) : undefined
      try {
        const o = (await piscina.run(
          { name: plan.task, args: [x], module: env.module?.file },
          { name: 'timed', transferList },
        )) as TimedOutcome
        const key = o.tid ?? -1
        if (!laneOf.has(key)) {
          laneOf.set(key, lanes.length)
          lanes.push({ label: `piscina / thread ${lanes.length + 1}`, pid: o.pid, tid: o.tid })
        }
        tasks.push({
          id: i + 1,
          lane: laneOf.get(key)!,
          submittedAt,
          startedAt: clock.fromAbs(o.startedAt) - t0,
          endedAt: clock.fromAbs(o.endedAt) - t0,
          doneAt: clock.now() - t0,
          cpuMs: o.cpuMs,
          ok: true,
        })
      } catch {
        if (!env.signal.aborted)
          tasks.push({
            id: i + 1,
            lane: 0,
            submittedAt,
            startedAt: submittedAt,
            endedAt: clock.now() - t0,
            doneAt: clock.now() - t0,
            cpuMs: null,
            ok: false,
          })
      }
    }
    if (!plan.heavy) await Promise.all(plan.recipes.map((_, i) => runOne(i)))
    else {
      // Big payloads: a few in flight at a time, each made as it is sent.
      let next = 0
      const lane = async (): Promise<void> => {
        while (next < plan.recipes.length && !env.signal.aborted) await runOne(next++)
      }
      await Promise.all(Array.from({ length: 2 * size }, lane))
    }
    return finish(t0, clock.now(), lanes, tasks, meter.stop(), size, t0 - created)
  } finally {
    env.signal.removeEventListener('abort', onAbort)
    await piscina.destroy().catch(() => undefined)
  }
}

export function runStrategy(strategy: StrategyId, size: number, plan: WorkloadPlan, env: StrategyEnv): Promise<RawRun> {
  switch (strategy) {
    case 'seq':
      return onLoopThread(plan, false, env)
    case 'async':
      return onLoopThread(plan, true, env)
    case 'thread':
      return onPool(plan, 'thread', size, false, env)
    case 'process':
      return onPool(plan, 'process', size, false, env)
    case 'thread-static':
      return onPool(plan, 'thread', size, true, env)
    case 'process-static':
      return onPool(plan, 'process', size, true, env)
    case 'piscina':
      return onPiscina(plan, size, env)
  }
}
