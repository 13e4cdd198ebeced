// Tasks "one" and "two" run one after the other on the same queue [15, 10, 5, 2]: "one" takes everything.
import { modeParam } from '../src/shared/params'
import { defineScenario, type Mode, type WorkerApi } from '../src/main/lab/scenario-api'

interface DrainResult {
  name: string
  took: number[]
  total: number
}

export default defineScenario<{ mode: Mode }>({
  id: 'queue-drain',
  title: 'Queue drain',
  section: 'A queue shared by processes',
  summary: 'Task "one" drains [15, 10, 5, 2] and totals 32; task "two", started after it, finds nothing to do.',
  params: [modeParam],
  async run(ctx, p) {
    ctx.queue('numbers', [15, 10, 5, 2])
    const results: DrainResult[] = []
    for (const name of ['one', 'two']) {
      const unit = ctx.spawn({ mode: p.mode, label: name, worker: 'drain', args: { name } })
      results.push((await unit.done) as DrainResult)
    }
    return { tasks: results }
  },
  workers: {
    async drain(w: WorkerApi, args: { name: string }): Promise<DrainResult> {
      const queue = w.queue('numbers')
      const took: number[] = []
      for (let item = await queue.getNowait(); item !== undefined; item = await queue.getNowait()) {
        took.push(item as number)
        w.log(`${args.name} took ${String(item)}`)
      }
      const total = took.reduce((a, b) => a + b, 0)
      w.log(took.length ? `${args.name} total: ${total}` : `${args.name}: nothing to do`)
      return { name: args.name, took, total }
    },
  },
})
