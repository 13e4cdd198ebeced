// The lab's side of comparisons: one at a time, its progress pushed to listeners, cancellable from any view.
import type { CompareProgress, CompareRequest, CompareResult } from '../../../shared/compare/types'
import { LabError, type Unsubscribe } from '../../../shared/contract'
import type { ModuleWorkload } from '../pools/workloads'
import { Comparison, type ComparisonEnv } from './comparison'

export class CompareService {
  private current: { comparison: Comparison; done: Promise<CompareResult> } | null = null
  private readonly progressListeners = new Set<(p: CompareProgress) => void>()
  private next = 1

  constructor(private readonly env: Omit<ComparisonEnv, 'onProgress'>) {}

  onProgress(listener: (p: CompareProgress) => void): Unsubscribe {
    this.progressListeners.add(listener)
    return () => this.progressListeners.delete(listener)
  }

  /** Runs one comparison to its end; a second one while it runs would skew both, so it is refused. */
  /** `module`: a user's own function instead of the request's workload (in-process callers only, such as the CLI). */
  async run(req: CompareRequest, module?: ModuleWorkload): Promise<CompareResult> {
    if (this.current) {
      throw new LabError(
        'conflict',
        `Comparison ${this.current.comparison.id} is still running: cancel it or wait for it to finish.`,
        'compare',
      )
    }
    const comparison = new Comparison(`c${this.next++}`, req, {
      ...this.env,
      module,
      onProgress: (p) => this.progressListeners.forEach((fn) => fn(p)),
    })
    const done = comparison.run()
    this.current = { comparison, done }
    try {
      return await done
    } catch (err) {
      const failed: CompareProgress = {
        ...comparison.progress,
        phase: 'failed',
        error: err instanceof Error ? err.message : String(err),
      }
      this.progressListeners.forEach((fn) => fn(failed))
      throw new LabError('failed', `The comparison failed: ${failed.error}`)
    } finally {
      this.current = null
    }
  }

  cancel(): void {
    this.current?.comparison.cancel()
  }

  /** Cancels and waits for the running comparison to let go of its workers. */
  async close(): Promise<void> {
    const c = this.current
    if (!c) return
    c.comparison.cancel()
    await c.done.catch(() => undefined)
  }
}
