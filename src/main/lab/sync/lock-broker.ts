// Named locks for process units, held in the lab (like multiprocessing.Manager().Lock()): FIFO hand-over.

interface LockState {
  holder: string | null
  waiters: { unit: string; grant: () => void }[]
}

export class LockBroker {
  private readonly locks = new Map<string, LockState>()

  private state(name: string): LockState {
    let s = this.locks.get(name)
    if (!s) this.locks.set(name, (s = { holder: null, waiters: [] }))
    return s
  }

  acquire(name: string, unit: string): Promise<void> {
    const s = this.state(name)
    if (s.holder === null) {
      s.holder = unit
      return Promise.resolve()
    }
    return new Promise((grant) => s.waiters.push({ unit, grant }))
  }

  release(name: string, unit: string): void {
    const s = this.state(name)
    if (s.holder !== unit) throw new Error(`${unit} released lock "${name}" without holding it.`)
    const next = s.waiters.shift()
    s.holder = next?.unit ?? null
    next?.grant()
  }

  /** A unit that died: drop it from every queue and hand on what it held, so nobody waits forever. */
  forget(unit: string): void {
    for (const [name, s] of this.locks) {
      s.waiters = s.waiters.filter((w) => w.unit !== unit)
      if (s.holder === unit) this.release(name, unit)
    }
  }
}
