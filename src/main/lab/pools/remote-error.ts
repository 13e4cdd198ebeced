// An error thrown inside a worker, carried across a thread or process boundary and rebuilt as itself: name, message,
// the worker's stack and cause; built-in classes come back as their own class, any other as a RemoteError.

/** An error as it travels between a worker and the pool: plain data, cloneable by both channels. */
export interface SerializedError {
  name: string
  message: string
  stack?: string
  cause?: SerializedError
  /** Own properties that are plain values (code, errno...). */
  props?: Record<string, string | number | boolean | null>
  /** What was thrown was not an Error (a string, a number...). */
  notError?: boolean
}

const BUILT_IN: Record<string, new (message?: string) => Error> = {
  Error,
  RangeError,
  TypeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
}

/** An error of a class the pool's side does not know: it keeps the original name and says it came from a worker. */
export class RemoteError extends Error {
  readonly remote = true
  constructor(name: string, message: string) {
    super(message)
    this.name = name
  }
}

export function serializeError(err: unknown, depth = 0): SerializedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), notError: true }
  const out: SerializedError = { name: err.name, message: err.message, stack: err.stack }
  if (err.cause !== undefined && depth < 8) out.cause = serializeError(err.cause, depth + 1)
  for (const [k, v] of Object.entries(err)) {
    if (k === 'cause' || k === 'name' || k === 'message' || k === 'stack') continue
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v))
      (out.props ??= {})[k] = v as string | number | boolean | null
  }
  return out
}

export function deserializeError(s: SerializedError): Error {
  const Known = Object.hasOwn(BUILT_IN, s.name) ? BUILT_IN[s.name] : null
  const err = Known ? new Known(s.message) : new RemoteError(s.name, s.message)
  // The worker's stack, not this side's: that is where it was thrown. A non-Error throw has none.
  if (s.stack !== undefined) err.stack = s.stack
  else if (s.notError) err.stack = `${s.name}: ${s.message}\n    (thrown in a worker: not an Error, so no stack)`
  if (s.cause) err.cause = deserializeError(s.cause)
  if (s.props) Object.assign(err, s.props)
  return err
}
