// A futex-style mutex on one Int32 of a SharedArrayBuffer (Drepper's three-state design), for threads.

const UNLOCKED = 0
const LOCKED = 1
const CONTENDED = 2
/** Wait in slices so a terminated worker never stays parked in the kernel. */
const WAIT_SLICE_MS = 100

export class AtomicsMutex {
  private readonly cell: Int32Array

  constructor(buffer: SharedArrayBuffer) {
    this.cell = new Int32Array(buffer, 0, 1)
  }

  static createBuffer(): SharedArrayBuffer {
    return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)
  }

  tryLock(): boolean {
    return Atomics.compareExchange(this.cell, 0, UNLOCKED, LOCKED) === UNLOCKED
  }

  /** Blocks the calling thread until the lock is ours. */
  lock(): void {
    let c = Atomics.compareExchange(this.cell, 0, UNLOCKED, LOCKED)
    if (c === UNLOCKED) return
    if (c !== CONTENDED) c = Atomics.exchange(this.cell, 0, CONTENDED)
    while (c !== UNLOCKED) {
      Atomics.wait(this.cell, 0, CONTENDED, WAIT_SLICE_MS)
      c = Atomics.exchange(this.cell, 0, CONTENDED)
    }
  }

  unlock(): void {
    if (Atomics.sub(this.cell, 0, 1) !== LOCKED) {
      Atomics.store(this.cell, 0, UNLOCKED)
      Atomics.notify(this.cell, 0, 1)
    }
  }

  isLocked(): boolean {
    return Atomics.load(this.cell, 0) !== UNLOCKED
  }
}
