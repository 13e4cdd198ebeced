// Two units negate [1, 2, 3, 4] in turn under a lock: with copies both print -1..-4; shared, the second flips it back.
import { modeParam, sharedParam } from '../src/shared/params'
import { defineScenario, type Mode, type WorkerApi } from '../src/main/lab/scenario-api'
import { unitName } from './names'

const VALUES = [1, 2, 3, 4]

interface NegateArgs {
  name: string
  shared: boolean
  values: number[]
}

interface Pass {
  name: string
  printed: number[]
  at: number
}

export default defineScenario<{ mode: Mode; shared: boolean }>({
  id: 'shared-array',
  title: 'Shared array',
  section: 'Sharing data between processes',
  summary:
    'Two units negate [1, 2, 3, 4] under a lock. Copied data: both print -1..-4. Shared data: the second prints 1..4. Processes share through the lab (like multiprocessing.Manager).',
  params: [modeParam, sharedParam],
  async run(ctx, p) {
    ctx.lock('array', p.mode)
    const array = p.shared ? ctx.sharedInts('numbers', VALUES, p.mode) : null
    if (array && p.mode === 'process')
      ctx.log('processes share the array through the lab, like multiprocessing.Manager')
    const units = [0, 1].map((i) =>
      ctx.spawn({
        mode: p.mode,
        label: unitName(i),
        worker: 'negate',
        args: { name: unitName(i), shared: p.shared, values: VALUES } satisfies NegateArgs,
      }),
    )
    const passes = ((await Promise.all(units.map((u) => u.done))) as Pass[]).sort((a, b) => a.at - b.at)
    return { passes: passes.map(({ name, printed }) => ({ name, printed })), final: array ? array.snapshot() : VALUES }
  },
  workers: {
    async negate(w: WorkerApi, args: NegateArgs): Promise<Pass> {
      const lock = w.lock('array')
      await lock.acquire()
      const at = performance.timeOrigin + performance.now()
      const printed: number[] = []
      if (args.shared) {
        const numbers = w.array('numbers')
        for (let i = 0; i < args.values.length; i++) {
          const v = -(await numbers.get(i))
          await numbers.set(i, v)
          printed.push(v)
          w.log(`${args.name}: ${v}`)
        }
      } else {
        const numbers = [...args.values]
        for (let i = 0; i < numbers.length; i++) {
          numbers[i] = -numbers[i]
          printed.push(numbers[i])
          w.log(`${args.name}: ${numbers[i]}`)
        }
      }
      lock.release()
      return { name: args.name, printed, at }
    },
  },
})
