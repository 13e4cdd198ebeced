// CPU burners with a chosen duty cycle: the reference load for watching the sampler (100% = one core).
import { modeParam, workersParam } from '../src/shared/params'
import { defineScenario, type Mode, type WorkerApi } from '../src/main/lab/scenario-api'
import { unitName } from './names'

interface SpinArgs {
  name: string
  seconds: number
  duty: number
  fail: boolean
}

const PERIOD_MS = 100

export default defineScenario<{ mode: Mode; workers: number; seconds: number; duty: number; fail: boolean }>({
  id: 'spin',
  title: 'Spin',
  section: 'Watching the sampler',
  summary: 'Units burn CPU at a chosen duty cycle (100% = one core busy, 0% = idle), for a while or until stopped.',
  params: [
    modeParam,
    workersParam(2, 64),
    { key: 'seconds', label: 'Seconds', type: 'int', min: 0, max: 3600, default: 5, help: '0 runs until stopped.' },
    {
      key: 'duty',
      label: 'Duty (%)',
      type: 'int',
      min: 0,
      max: 100,
      default: 100,
      help: 'Share of each 100 ms spent busy.',
    },
    {
      key: 'fail',
      label: 'Fail at the end',
      type: 'bool',
      default: false,
      help: 'Each unit throws when done, to show a crash.',
    },
  ],
  async run(ctx, p) {
    const units = Array.from({ length: p.workers }, (_, i) =>
      ctx.spawn({
        mode: p.mode,
        label: unitName(i),
        worker: 'spin',
        args: { name: unitName(i), seconds: p.seconds, duty: p.duty, fail: p.fail },
      }),
    )
    const spins = await Promise.all(units.map((u) => u.done))
    return { spins }
  },
  workers: {
    async spin(w: WorkerApi, args: SpinArgs): Promise<number> {
      const end = args.seconds > 0 ? performance.now() + args.seconds * 1000 : Infinity
      let rounds = 0
      w.log(`${args.name}: spinning at ${args.duty}%`)
      while (performance.now() < end) {
        const busyUntil = performance.now() + (PERIOD_MS * args.duty) / 100
        while (performance.now() < busyUntil) rounds++
        const idle = PERIOD_MS * (1 - args.duty / 100)
        // Yield at least every period so messages (flags, stop) get through.
        await w.sleep(Math.max(idle, args.duty === 100 ? 0 : 1))
      }
      if (args.fail) throw new Error(`${args.name} failed on purpose after spinning`)
      w.log(`${args.name}: done`)
      return rounds
    },
  },
})
