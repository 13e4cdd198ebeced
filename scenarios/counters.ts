// Threads (or processes) counting down side by side; with the lock, each holds it for its whole count.
import { lockParam, modeParam, workersParam } from '../src/shared/params'
import { defineScenario, type Mode, type WorkerApi } from '../src/main/lab/scenario-api'
import { unitName } from './names'

interface CountArgs {
  name: string
  from: number
  delayMs: number
  loop: boolean
}

interface Printed {
  text: string
  at: number
}

export default defineScenario<{
  mode: Mode
  workers: number
  lock: boolean
  loop: boolean
  from: number
  delay: number
}>({
  id: 'counters',
  title: 'Counters',
  section: 'Threads and locks',
  summary: 'Units count down from 5 with a 10 ms sleep; lines interleave, or are serialised with the lock on.',
  params: [
    modeParam,
    workersParam(2, 16),
    lockParam,
    {
      key: 'loop',
      label: 'Loop',
      type: 'bool',
      default: false,
      help: 'Keep counting until stopped, to flip the lock live.',
    },
    { key: 'from', label: 'Count from', type: 'int', min: 1, max: 100, default: 5 },
    { key: 'delay', label: 'Sleep (ms)', type: 'int', min: 0, max: 1000, default: 10 },
  ],
  async run(ctx, p) {
    ctx.lock('print', p.mode)
    const units = Array.from({ length: p.workers }, (_, i) =>
      ctx.spawn({
        mode: p.mode,
        label: unitName(i),
        worker: 'count',
        args: { name: unitName(i), from: p.from, delayMs: p.delay, loop: p.loop } satisfies CountArgs,
      }),
    )
    // join: wait for every unit, as the tutorial's t.join() does.
    const printed = (await Promise.all(units.map((u) => u.done))) as Printed[][]
    // Stable sort by the stamp each line was logged with: the lab orders the log the same way.
    const order = printed
      .flat()
      .sort((a, b) => a.at - b.at)
      .map((p) => p.text)
    ctx.log('all units joined')
    return { order }
  },
  workers: {
    async count(w: WorkerApi, args: CountArgs): Promise<Printed[]> {
      let printed: Printed[] = []
      w.log(`Start ${w.mode} ${args.name}`)
      do {
        printed = []
        const useLock = w.flag('lock')
        const lock = w.lock('print')
        if (useLock) await lock.acquire()
        for (let k = args.from; k > 0; k--) {
          const text = `${args.name} ${w.mode}: ${k}`
          // The stamp the log line carries is the one the result is ordered by: log and result agree.
          printed.push({ text, at: w.log(text) })
          await w.sleep(args.delayMs)
        }
        if (useLock) lock.release()
        // Between rounds, a pause outside the lock, so a waiting unit gets its turn.
        if (args.loop) await w.sleep(args.delayMs)
      } while (args.loop)
      w.log(`End ${w.mode} ${args.name}`)
      return printed
    },
  },
})
