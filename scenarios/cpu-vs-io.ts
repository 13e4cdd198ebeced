// Choosing a process pool or a thread pool: the same CPU-bound and IO-bound job, sequential vs a thread pool vs a
// process pool of the same size, on the comparison machinery. Node threads have no GIL: unlike Python's, a thread pool
// does speed up CPU-bound work; both pools overlap IO waits, and the process pool pays more to start.
import type { CompareResult, CompareRow, WorkloadId } from '../src/shared/compare/types'
import { workersParam } from '../src/shared/params'
import { defineScenario } from '../src/main/lab/scenario-api'

interface KindFigures {
  wallMs: number
  speedup: number | null
  cpuMs: number | null
}

function figures(row: CompareRow | undefined): KindFigures | null {
  return row ? { wallMs: row.wallMs.median, speedup: row.speedup, cpuMs: row.cpuMs?.median ?? null } : null
}

export default defineScenario<{ workers: number; tasks: number; taskMs: number; repeat: number }>({
  id: 'cpu-vs-io',
  title: 'CPU-bound vs IO-bound',
  section: 'Process pool vs thread pool',
  summary:
    'The same CPU-bound job and IO-bound job, sequential vs a thread pool vs a process pool of the same size: speed-up per pool kind.',
  params: [
    workersParam(2, 16),
    // Bounded so the largest run ends: 2 jobs x 3 strategies x 3 repeats x 100 tasks x 400 ms = at most 12 min of tasks.
    { key: 'tasks', label: 'Tasks', type: 'int', min: 1, max: 100, default: 12 },
    {
      key: 'taskMs',
      label: 'Task cost (ms)',
      type: 'int',
      min: 1,
      max: 400,
      default: 40,
      help: 'CPU time of one CPU-bound task; wait of one IO-bound task.',
    },
    { key: 'repeat', label: 'Repeats', type: 'int', min: 1, max: 3, default: 1 },
  ],
  async run(ctx, p) {
    const out: Record<string, { sequentialMs: number; thread: KindFigures | null; process: KindFigures | null }> = {}
    for (const workload of ['cpu', 'io'] as WorkloadId[]) {
      ctx.mark(`${workload}-bound job`)
      const r: CompareResult = await ctx.compare({
        workload,
        strategies: ['seq', 'thread', 'process'],
        sizes: [p.workers],
        tasks: p.tasks,
        repeat: p.repeat,
        params: { taskMs: p.taskMs },
      })
      if (r.cancelled) throw new Error('The comparison was cancelled.')
      const row = (s: string): CompareRow | undefined => r.rows.find((x) => x.strategy === s)
      const seqMs = row('seq')!.wallMs.median
      ctx.log(`${workload}-bound (${r.workload.describe}) x ${p.tasks}: sequential ${seqMs.toFixed(0)} ms`)
      for (const kind of ['thread', 'process'] as const) {
        const f = figures(row(kind))
        if (f)
          ctx.log(
            `  ${kind} pool of ${p.workers}: ${f.wallMs.toFixed(0)} ms, speed-up ${f.speedup?.toFixed(1) ?? '-'}x, CPU ${f.cpuMs?.toFixed(0) ?? '-'} ms`,
          )
      }
      out[workload] = { sequentialMs: seqMs, thread: figures(row('thread')), process: figures(row('process')) }
    }
    ctx.log(
      'The contrast with Python: Node has no GIL, so here a thread pool can keep every core busy on CPU-bound work, as a process pool does. In Python (py-cpu-vs-io) the GIL holds a thread pool to one core.',
    )
    return out
  },
})
