// What scenario code running inside a unit can do: log, sleep, take locks, touch shared arrays and queues.
// Threads use real shared memory (SharedArrayBuffer + Atomics); processes reach the lab's broker by message.
import { AtomicsMutex } from '../sync/mutex'
import type { BrokerOp, FromHost, Mode, RunOrder } from './protocol'
import { absNow, FLAG_INDEX } from './protocol'

export interface UnitLock {
  /** Blocks this unit until it holds the lock; the timeline shows the wait and the hold. */
  acquire(): Promise<void>
  release(): void
}

export interface SharedInts {
  get(index: number): Promise<number>
  set(index: number, value: number): Promise<void>
}

export interface UnitQueue {
  /** Next item in FIFO order; waits while the queue is empty and open. `undefined` once it is closed and drained. */
  get(): Promise<unknown>
  /** Next item or `undefined` at once when empty. */
  getNowait(): Promise<unknown>
  put(value: unknown): Promise<void>
}

export interface WorkerApi {
  readonly unitId: string
  readonly label: string
  readonly mode: Mode
  /** Prints a line of this unit; returns the time it was stamped with (absolute ms), the one the log is ordered by. */
  log(text: string): number
  /** Sleeps `ms` times the run's time scale (slow motion). */
  sleep(ms: number): Promise<void>
  lock(name: string): UnitLock
  /** Live switch set by the lab (e.g. the Lock toggle), read fresh on every call. */
  flag(name: string): boolean
  array(name: string): SharedInts
  queue(name: string): UnitQueue
}

export type Send = (msg: FromHost) => void
export type Request = (req: BrokerOp) => Promise<unknown>

export function createWorkerApi(
  order: RunOrder,
  send: Send,
  request: Request,
  flags: Record<string, boolean>,
): WorkerApi {
  const flagView = order.handles.flags ? new Int32Array(order.handles.flags) : null
  const state = (s: 'running' | 'waiting' | 'holding'): void => send({ t: 'state', state: s, at: absNow() })

  function threadLock(buffer: SharedArrayBuffer): UnitLock {
    const mutex = new AtomicsMutex(buffer)
    return {
      async acquire() {
        if (!mutex.tryLock()) {
          state('waiting')
          mutex.lock()
        }
        state('holding')
      },
      release() {
        mutex.unlock()
        state('running')
      },
    }
  }

  function brokerLock(name: string): UnitLock {
    return {
      async acquire() {
        state('waiting')
        await request({ op: 'lock.acquire', name })
        state('holding')
      },
      release() {
        void request({ op: 'lock.release', name })
        state('running')
      },
    }
  }

  return {
    unitId: order.unitId,
    label: order.label,
    mode: order.mode,
    log: (text) => {
      const at = absNow()
      send({ t: 'log', text, at, stream: 'out' })
      return at
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms * (order.timeScale ?? 1))),
    lock(name) {
      const buffer = order.handles.locks[name]
      return buffer ? threadLock(buffer) : brokerLock(name)
    },
    flag(name) {
      const index = FLAG_INDEX[name]
      if (flagView && index !== undefined) return Atomics.load(flagView, index) === 1
      return flags[name] ?? false
    },
    array(name) {
      const buffer = order.handles.arrays[name]
      if (buffer) {
        const view = new Int32Array(buffer)
        return {
          get: async (i) => Atomics.load(view, i),
          set: async (i, v) => void Atomics.store(view, i, v),
        }
      }
      return {
        get: async (index) => (await request({ op: 'array.get', name, index })) as number,
        set: async (index, value) => void (await request({ op: 'array.set', name, index, value })),
      }
    },
    queue(name) {
      return {
        get: async () => {
          state('waiting')
          const v = await request({ op: 'queue.get', name, block: true })
          state('running')
          return v
        },
        getNowait: () => request({ op: 'queue.get', name, block: false }),
        put: async (value) => void (await request({ op: 'queue.put', name, value })),
      }
    },
  }
}
