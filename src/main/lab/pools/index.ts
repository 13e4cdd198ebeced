// The pools as a library for anyone's code: ThreadPool and ProcessPool running the named exports of your module,
// Future, wait and asCompleted, shaped like Python's concurrent.futures (see the README, "Use the pools in your own code").
export { ThreadPool, ProcessPool, type KindPoolOptions as PoolOptions } from './kinds'
export { Future, type FutureState } from './future'
export { CancelledError, PoolError, TimeoutError } from './errors'
export { RemoteError } from './remote-error'
export { asCompleted, wait, OrderedResults, type ReturnWhen } from './results'
export type { MapOptions } from './executor'
