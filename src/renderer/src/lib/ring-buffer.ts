// Fixed-capacity numeric ring buffer: bounded sample history with no allocation per push.

/** First allocation; short-lived units (pool workers) never need more. */
const INITIAL = 64

export class RingBuffer {
  readonly capacity: number
  private data: Float64Array
  private start = 0
  private count = 0

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive whole number')
    this.capacity = capacity
    this.data = new Float64Array(Math.min(capacity, INITIAL))
  }

  get length(): number {
    return this.count
  }

  push(value: number): void {
    if (this.count === this.data.length && this.count < this.capacity) {
      // Grows by doubling until the capacity; it has not wrapped yet, so start is 0.
      const next = new Float64Array(Math.min(this.capacity, this.data.length * 2))
      next.set(this.data)
      this.data = next
    }
    if (this.count < this.capacity) {
      this.data[this.count] = value
      this.count++
    } else {
      this.data[this.start] = value
      this.start = (this.start + 1) % this.capacity
    }
  }

  /** Value i, 0 = oldest. */
  at(i: number): number {
    if (i < 0 || i >= this.count) return NaN
    return this.data[(this.start + i) % this.capacity]
  }

  last(): number {
    return this.count === 0 ? NaN : this.at(this.count - 1)
  }

  /** Largest finite value among the newest `n` (all by default); 0 when there is none. */
  max(n = this.count): number {
    let m = 0
    for (let i = Math.max(0, this.count - n); i < this.count; i++) {
      const v = this.at(i)
      if (Number.isFinite(v) && v > m) m = v
    }
    return m
  }

  clear(): void {
    this.start = 0
    this.count = 0
  }

  toArray(): number[] {
    return Array.from({ length: this.count }, (_, i) => this.at(i))
  }
}

/** One unit's history: lab time, CPU % of one core (NaN = no value yet), memory bytes (NaN = unknown). */
export class UnitSeries {
  readonly t: RingBuffer
  readonly cpu: RingBuffer
  readonly mem: RingBuffer

  constructor(capacity: number) {
    this.t = new RingBuffer(capacity)
    this.cpu = new RingBuffer(capacity)
    this.mem = new RingBuffer(capacity)
  }

  push(t: number, cpu: number | null, mem: number | null): void {
    this.t.push(t)
    this.cpu.push(cpu ?? NaN)
    this.mem.push(mem ?? NaN)
  }

  get length(): number {
    return this.t.length
  }
}
