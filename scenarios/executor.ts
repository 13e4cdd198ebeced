// Executor.submit: done() is false right after submit, result() waits for "Completed task1!", then done() is true.
import { modeParam, workersParam } from '../src/shared/params'
import { defineScenario, sleep, type Mode } from '../src/main/lab/scenario-api'

export default defineScenario<{ mode: Mode; workers: number }>({
  id: 'executor',
  title: 'Executor submit / done / result',
  section: 'Executors',
  summary:
    'Submit a counting task to a pool of 5: done() is false at once, result() returns "Completed task1!", then done() is true.',
  params: [modeParam, workersParam(5, 32)],
  async run(ctx, p) {
    const pool = ctx.pool({ kind: p.mode, size: p.workers, name: 'executor' })
    const future = pool.submit<string>('executor.count', 'task1', 5, 100)
    const doneAfterSubmit = future.done()
    ctx.log(`done() right after submit: ${doneAfterSubmit}`)
    const result = await future.result()
    ctx.log(`result(): ${result}`)
    const doneAfterResult = future.done()
    ctx.log(`done() after result: ${doneAfterResult}`)
    await pool.shutdown()
    return { doneAfterSubmit, result, doneAfterResult }
  },
  tasks: {
    async count(name: string, from: number, delayMs: number): Promise<string> {
      for (let k = from; k > 0; k--) {
        console.log(`${name}: ${k}`)
        await sleep(delayMs)
      }
      return `Completed ${name}!`
    },
  },
})
