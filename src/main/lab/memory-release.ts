// Gives memory back after bursts of work: when a run ends, a full garbage collection, at most every 10 s.

/** Present when the process was started with --expose-gc, as every lab process is (scripts/lab-flags.mjs). */
const collect = (globalThis as { gc?: () => void }).gc

const EVERY_MS = 10_000

/**
 * V8 collects when its heap limits say so, not when a burst ends: after many short runs it holds pages of garbage it
 * has not needed to collect yet, and RSS reads 10-20 MB above what the lab keeps. One full collection when a run ends
 * (a few ms for the lab's heap of about 15 MB, at most every 10 s) keeps RSS at what the lab holds. Without
 * --expose-gc it does nothing.
 */
export class MemoryRelease {
  private last = -Infinity
  private timer: NodeJS.Timeout | null = null

  constructor(
    private readonly gc: (() => void) | null = collect ?? null,
    private readonly everyMs = EVERY_MS,
  ) {}

  /** Whether collections happen at all (false without --expose-gc). */
  get active(): boolean {
    return this.gc !== null
  }

  /** A run (or a comparison) ended: collect once the current work has unwound, unless one ran in the last 10 s. */
  workEnded(): void {
    if (!this.gc || this.timer || performance.now() - this.last < this.everyMs) return
    this.timer = setTimeout(() => {
      this.timer = null
      this.last = performance.now()
      this.gc!()
    }, 0)
    this.timer.unref()
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }
}
