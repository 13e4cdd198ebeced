// Shared state words of thread-pool tasks sent ahead to workers: the worker's start and the lab's cancel() race on one
// compare-and-swap, so a future is "running" exactly when a worker picked it up, as in ThreadPoolExecutor.
import { TASK_SLOT } from '../units/protocol'

export class TaskSlots {
  readonly buffer: SharedArrayBuffer
  readonly states: Int32Array
  private readonly free: number[]

  constructor(count: number) {
    this.buffer = new SharedArrayBuffer(count * Int32Array.BYTES_PER_ELEMENT)
    this.states = new Int32Array(this.buffer)
    this.free = Array.from({ length: count }, (_, i) => count - 1 - i)
  }

  /** A slot set to PENDING, or null when every slot is taken (the caller then sends no more ahead). */
  acquire(): number | null {
    const i = this.free.pop()
    if (i === undefined) return null
    Atomics.store(this.states, i, TASK_SLOT.PENDING)
    return i
  }

  release(i: number): void {
    Atomics.store(this.states, i, TASK_SLOT.FREE)
    this.free.push(i)
  }

  state(i: number): number {
    return Atomics.load(this.states, i)
  }
}
