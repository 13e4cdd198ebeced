// A FIFO queue holding 0..9, drained by two consumers taking five items each with a 10 ms pause.
import { modeParam, STAGGER_PARAM } from '../src/shared/params'
import { defineScenario, type Mode, type WorkerApi } from '../src/main/lab/scenario-api'
import { unitName } from './names'

interface ConsumeArgs {
  name: string
  count: number
  delayMs: number
  /** Wait before the first take. */
  startMs: number
}

export default defineScenario<{ mode: Mode; items: number; delay: number; stagger: number }>({
  id: 'queue',
  title: 'Queue',
  section: 'A queue shared by processes',
  summary: 'Two consumers take 0..9 from one FIFO queue: every item exactly once, in order, alternating.',
  params: [
    modeParam,
    {
      key: 'items',
      label: 'Items',
      type: 'int',
      min: 2,
      max: 1000,
      default: 10,
      help: 'An even number is split evenly.',
    },
    { key: 'delay', label: 'Pause (ms)', type: 'int', min: 0, max: 1000, default: 10 },
    STAGGER_PARAM,
  ],
  async run(ctx, p) {
    const queue = ctx.queue(
      'items',
      Array.from({ length: p.items }, (_, i) => i),
    )
    const share = [Math.ceil(p.items / 2), Math.floor(p.items / 2)]
    const units = share.map((count, i) =>
      ctx.spawn({
        mode: p.mode,
        label: unitName(i),
        worker: 'consume',
        args: { name: unitName(i), count, delayMs: p.delay, startMs: i === 0 ? 0 : p.stagger },
      }),
    )
    await Promise.all(units.map((u) => u.done))
    const names = new Map(units.map((u, i) => [u.id, unitName(i)]))
    return { taken: queue.taken.map(({ item, unit }) => ({ item, by: names.get(unit) ?? unit })) }
  },
  workers: {
    async consume(w: WorkerApi, args: ConsumeArgs): Promise<unknown[]> {
      const queue = w.queue('items')
      const got: unknown[] = []
      if (args.startMs > 0) await w.sleep(args.startMs)
      for (let i = 0; i < args.count; i++) {
        const item = await queue.get()
        got.push(item)
        w.log(`${args.name} got ${String(item)}`)
        await w.sleep(args.delayMs)
      }
      return got
    },
  },
})
