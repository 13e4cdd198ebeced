// Executor.map: box areas come back in input order, whatever order the workers finish in.
import { modeParam, workersParam } from '../src/shared/params'
import { defineScenario, sleep, type Mode } from '../src/main/lab/scenario-api'

const X1 = [5, 10, 20, 35]
const X2 = [15, 20, 30, 55]
const Y1 = [5, 10, 10, 15]
const Y2 = [15, 20, 20, 35]

type Box = [number, number, number, number]

export default defineScenario<{ mode: Mode; workers: number; chunksize: number; jitter: number }>({
  id: 'executor-map',
  title: 'Executor.map',
  section: 'Executors',
  summary: 'Areas of four boxes computed by a pool: 100, 100, 100, 400, in input order.',
  params: [
    modeParam,
    workersParam(4, 32),
    { key: 'chunksize', label: 'Chunk size', type: 'int', min: 1, max: 4, default: 1 },
    {
      key: 'jitter',
      label: 'Jitter (ms)',
      type: 'int',
      min: 0,
      max: 1000,
      default: 30,
      help: 'Each task sleeps up to this long, so the tasks finish out of order.',
    },
  ],
  async run(ctx, p) {
    const pool = ctx.pool({ kind: p.mode, size: p.workers, name: 'executor' })
    const boxes = X1.map((x1, i): Box => [x1, X2[i], Y1[i], Y2[i]])
    const areas = await pool.map<number>(
      'executor-map.area',
      boxes.map((box) => [box, p.jitter]),
      { chunksize: p.chunksize },
    )
    areas.forEach((a, i) => ctx.log(`box ${i + 1}: ${a}`))
    await pool.shutdown()
    return { areas }
  },
  tasks: {
    async area([[x1, x2, y1, y2], jitterMs]: [Box, number]): Promise<number> {
      // A random sleep so the workers finish out of order; map still returns input order.
      if (jitterMs > 0) await sleep(Math.random() * jitterMs)
      return (x2 - x1) * (y2 - y1)
    },
  },
})
