// Slow motion inside a pool worker: the run's time scale, set once per worker, read by the tasks' `sleep`.
// Kept on globalThis under a registered symbol: the unit host and the scenario module are separate bundles, each with
// its own copy of this file, and both must see the one value of their isolate.

const KEY = Symbol.for('parallel-lab.timeScale')

type WithScale = { [KEY]?: number }

/** Sets this isolate's time scale (a pool worker of a run started in slow motion). */
export function setTimeScale(scale: number): void {
  ;(globalThis as WithScale)[KEY] = scale
}

/** This isolate's time scale: 1 unless the lab set it. */
export function timeScale(): number {
  return (globalThis as WithScale)[KEY] ?? 1
}

/** A task's pause: `ms` times the run's time scale (slow motion stretches it as it does a unit's `w.sleep`). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms * timeScale()))
}
