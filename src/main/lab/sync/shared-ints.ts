// Int32 arrays shared by units: real shared memory for threads, a lab-held store for processes.

export interface SharedIntsHandle {
  /** Buffer for thread units; null when units reach the values through the broker. */
  readonly buffer: SharedArrayBuffer | null
  get(index: number): number
  set(index: number, value: number): void
  snapshot(): number[]
}

export function threadSharedInts(values: readonly number[]): SharedIntsHandle {
  const buffer = new SharedArrayBuffer(values.length * Int32Array.BYTES_PER_ELEMENT)
  const view = new Int32Array(buffer)
  view.set(values)
  return {
    buffer,
    get: (i) => Atomics.load(view, i),
    set: (i, v) => void Atomics.store(view, i, v),
    snapshot: () => Array.from(view),
  }
}

/** For processes: Node cannot share memory across processes, so the lab holds the values (like multiprocessing.Manager). */
export function brokerSharedInts(values: readonly number[]): SharedIntsHandle {
  const store = Int32Array.from(values)
  const check = (i: number): void => {
    if (!Number.isInteger(i) || i < 0 || i >= store.length)
      throw new Error(`Index ${i} is outside 0..${store.length - 1}.`)
  }
  return {
    buffer: null,
    get: (i) => (check(i), store[i]),
    set: (i, v) => (check(i), void (store[i] = v)),
    snapshot: () => Array.from(store),
  }
}
