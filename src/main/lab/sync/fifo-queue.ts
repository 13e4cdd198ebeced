// A FIFO queue owned by the lab and shared by units (threads or processes), like multiprocessing.Queue.

export class FifoQueue<T = unknown> {
  private readonly items: T[] = []
  private readonly getters: ((v: T | undefined) => void)[] = []
  private closed = false
  /** Every item taken, with who took it, in order: the evidence for "exactly once, FIFO". */
  readonly taken: { item: T; unit: string }[] = []

  constructor(initial: Iterable<T> = []) {
    this.items.push(...initial)
  }

  put(item: T): void {
    if (this.closed) throw new Error('put() on a closed queue.')
    const getter = this.getters.shift()
    if (getter) getter(item)
    else this.items.push(item)
  }

  /** Resolves with the next item; waits while empty and open; undefined once closed and empty. */
  get(unit: string, block = true): Promise<T | undefined> {
    if (this.items.length > 0) {
      const item = this.items.shift()!
      this.taken.push({ item, unit })
      return Promise.resolve(item)
    }
    if (!block || this.closed) return Promise.resolve(undefined)
    return new Promise((resolve) =>
      this.getters.push((item) => {
        if (item !== undefined) this.taken.push({ item, unit })
        resolve(item)
      }),
    )
  }

  /** No more puts: waiting getters get undefined. */
  close(): void {
    this.closed = true
    for (const g of this.getters.splice(0)) g(undefined)
  }
}
