// Pool.apply_async with a callback: squares of 0..19 land in a list in completion order.
import { modeParam, workersParam } from '../src/shared/params'
import { defineScenario, sleep, type Mode } from '../src/main/lab/scenario-api'

export default defineScenario<{ mode: Mode; workers: number; count: number; jitter: number }>({
  id: 'pool-async',
  title: 'Pool.apply_async',
  section: 'Pools',
  summary:
    'A pool of 5 squares 0..19; a callback appends each result: the list is in completion order, not submission order.',
  params: [
    modeParam,
    workersParam(5, 32),
    { key: 'count', label: 'Tasks', type: 'int', min: 1, max: 10_000, default: 20 },
    {
      key: 'jitter',
      label: 'Jitter (ms)',
      type: 'int',
      min: 0,
      max: 1000,
      default: 20,
      help: 'Each task sleeps up to this long, so completion order varies.',
    },
  ],
  async run(ctx, p) {
    const pool = ctx.pool({ kind: p.mode, size: p.workers, name: 'pool' })
    const results: number[] = []
    const futures = Array.from({ length: p.count }, (_, x) =>
      pool.applyAsync<number>('pool-async.square', [x, p.jitter], {
        callback: (square) => {
          results.push(square)
          ctx.log(`callback got ${square}`)
        },
      }),
    )
    await Promise.all(futures.map((f) => f.exception()))
    await pool.shutdown()
    return { results, submitted: Array.from({ length: p.count }, (_, x) => x * x) }
  },
  tasks: {
    async square(x: number, jitterMs: number): Promise<number> {
      if (jitterMs > 0) await sleep(Math.random() * jitterMs)
      return x * x
    },
  },
})
