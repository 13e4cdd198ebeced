// Bounds on what crosses a boundary: how deep and how big a payload may be, and how much of a value an error may echo.

/** A command's payload is a few fields; params a flat object of a few dozen values at most. */
export const PAYLOAD_LIMITS = { depth: 8, nodes: 2000, stringChars: 10_000 }
/** An error quotes at most this much of what it was given. */
export const ECHO_CHARS = 60

/** The value as JSON, cut to ECHO_CHARS characters: an error names what it got without carrying it whole. */
export function echo(value: unknown): string {
  let text: string
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value))
  } catch {
    text = Array.isArray(value) ? 'a list' : typeof value
  }
  return text.length > ECHO_CHARS ? `${text.slice(0, ECHO_CHARS - 1)}…` : text
}

/**
 * Walks a payload without recursion (a 10,000-deep one must not overflow the stack) and says what is too deep, too big
 * or too long, or null when it is within PAYLOAD_LIMITS.
 */
export function payloadProblem(payload: unknown): string | null {
  const stack: { v: unknown; depth: number }[] = [{ v: payload, depth: 0 }]
  let nodes = 0
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!
    if (++nodes > PAYLOAD_LIMITS.nodes)
      return `The payload has more than ${PAYLOAD_LIMITS.nodes} values; a command takes a few fields.`
    if (typeof v === 'string' && v.length > PAYLOAD_LIMITS.stringChars)
      return `A text in the payload is longer than ${PAYLOAD_LIMITS.stringChars} characters.`
    if (typeof v !== 'object' || v === null) continue
    if (depth >= PAYLOAD_LIMITS.depth) return `The payload is nested deeper than ${PAYLOAD_LIMITS.depth} levels.`
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push({ v: child, depth: depth + 1 })
  }
  return null
}

/** Own properties only: a key named "constructor", "__proto__" or "toString" is data, never inherited behaviour. */
export function own(obj: object, key: string): unknown {
  return Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined
}
