// The same trivial task on a fresh process pool and a fresh thread pool: start-up to first result.
import { workersParam } from '../src/shared/params'
import { defineScenario, type RunContext, type Mode } from '../src/main/lab/scenario-api'

/** What the tutorial measured in Python with the spawn start method, seconds. */
export const TUTORIAL_SECONDS = { process: 0.072, thread: 0.001 }

async function firstResultMs(ctx: RunContext, kind: Mode, size: number): Promise<number> {
  const t0 = performance.now()
  const pool = ctx.pool({ kind, size, name: `${kind} pool` })
  await pool.submit('startup-cost.noop').result()
  const ms = performance.now() - t0
  await pool.shutdown()
  return ms
}

export default defineScenario<{ workers: number; repeat: number }>({
  id: 'startup-cost',
  title: 'Start-up cost',
  section: 'Process pool vs thread pool',
  summary:
    "Time from creating a pool to its first result, process pool vs thread pool, beside the tutorial's 0.072 s vs 0.001 s.",
  params: [workersParam(2, 16), { key: 'repeat', label: 'Repeats', type: 'int', min: 1, max: 20, default: 3 }],
  async run(ctx, p) {
    const samples: Record<Mode, number[]> = { process: [], thread: [] }
    for (let i = 0; i < p.repeat; i++) {
      for (const kind of ['process', 'thread'] as const) {
        const ms = await firstResultMs(ctx, kind, p.workers)
        samples[kind].push(ms)
        ctx.log(`${kind} pool of ${p.workers}: first result after ${ms.toFixed(1)} ms`)
      }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
    const rounded = (xs: number[]): number[] => xs.map((x) => Math.round(x * 10) / 10)
    const result = {
      processMs: Math.round(median(samples.process) * 10) / 10,
      threadMs: Math.round(median(samples.thread) * 10) / 10,
      samples: { process: rounded(samples.process), thread: rounded(samples.thread) },
      tutorial: TUTORIAL_SECONDS,
    }
    ctx.log(
      `median: process ${result.processMs.toFixed(1)} ms, thread ${result.threadMs.toFixed(1)} ms (tutorial: 72 ms vs 1 ms)`,
    )
    ctx.log(
      'A Node worker thread is no lightweight thread: each starts a V8 isolate of its own (heap, event loop, module loading), so it takes milliseconds; a child process starts a whole Node, tens of ms.',
    )
    return result
  },
  tasks: {
    noop: () => 1,
  },
})
