// The thread and process lessons: counters (interleaving, then the lock) and the shared array.
import type { Check, Lesson, LessonRun } from './verdict'
import { isObj, judged, nums, oneLine, sameList } from './verdict'

/** "khanh thread: 5" -> { name: "khanh", k: 5 }; older shapes ("khanh: 5") too. */
export function countLine(text: string): { name: string; k: number } | null {
  const m = /^(.+?)(?: (?:thread|process))?: (\d+)$/.exec(text)
  return m ? { name: m[1], k: Number(m[2]) } : null
}

/** How many times consecutive count lines change unit ("khanh thread: 5" -> "ai thread: 5" is one switch). */
export function switches(names: readonly string[]): number {
  return names.filter((n, i) => i > 0 && n !== names[i - 1]).length
}

function countOrder(run: LessonRun): { name: string; k: number }[] {
  const order = (run.result as { order?: unknown })?.order
  const lines = Array.isArray(order)
    ? order.filter((l): l is string => typeof l === 'string')
    : run.logs.map((l) => l.text)
  return lines.flatMap((l) => countLine(l) ?? [])
}

const INTERLEAVED = 'interleaved'
const SERIALISED = 'serialised: one unit after the other'

export const counters = (python: boolean): Lesson => ({
  point:
    "Without the lock the units' lines interleave: each sleeps between lines and the others run meanwhile. With the lock, a unit holds it for its whole count, so every line of one precedes every line of the next.",
  departs: python
    ? "threading.Thread or multiprocessing.Process with the tutorial's names and line shapes. The lock can also be flipped while the units loop; printing goes through the lab (each line is tied to its thread), under a small lock that numbers the lines so the result lists them in the log's order."
    : "Node worker threads (an Atomics mutex as the lock) or child processes (the lab's lock broker, like multiprocessing.Manager().Lock()); the lines have the tutorial's shapes.",
  predict: {
    question: "How will the units' lines come out?",
    options: [INTERLEAVED, SERIALISED],
    answer: (run) => {
      const lines = countOrder(run)
      const units = new Set(lines.map((l) => l.name)).size
      if (units < 2) return null
      return switches(lines.map((l) => l.name)) > units - 1 ? INTERLEAVED : SERIALISED
    },
  },
  check(run) {
    const lines = countOrder(run)
    const names = [...new Set(lines.map((l) => l.name))]
    const from = Number(run.params.from ?? 5)
    const expectedCount = Array.from({ length: from }, (_, i) => from - i)
    const whole = names.every((n) =>
      sameList(
        lines.filter((l) => l.name === n).map((l) => l.k),
        expectedCount,
      ),
    )
    const checks: Check[] = [
      judged(
        `each unit counts ${from} down to 1, once`,
        `${Number(run.params.workers ?? 2)} units × ${oneLine(expectedCount, 5)}`,
        `${names.length} units${whole ? ', each complete' : ', some incomplete'}`,
        whole && names.length === Number(run.params.workers ?? 2),
      ),
    ]
    if (names.length < 2) return checks
    const n = switches(lines.map((l) => l.name))
    if (run.params.lock === true) {
      checks.push(
        judged(
          `with the lock, every ${names[0]} line precedes every ${names[1]} line`,
          `${names.length - 1} switches (serialised)`,
          `${n} switches`,
          n === names.length - 1,
        ),
      )
    } else {
      checks.push(
        judged(
          `lines interleave: ${n} switches between ${oneLine(names, 4)}`,
          `more than ${names.length - 1} switches`,
          `${n} switches`,
          n > names.length - 1,
        ),
      )
    }
    return checks
  },
})

export const sharedArray = (python: boolean): Lesson => ({
  point:
    "Two units negate [1, 2, 3, 4] in turn. A plain list is copied into each: both print -1..-4. A shared array is one memory: the second unit flips the first one's work back and prints 1, 2, 3, 4.",
  departs: python
    ? 'multiprocessing.Array against a plain list, as in the tutorial.'
    : 'Node processes have no shared memory: "shared" goes through the lab, like multiprocessing.Manager; threads share a real SharedArrayBuffer.',
  predict: {
    question: 'What will the second unit print?',
    options: ['-1, -2, -3, -4', '1, 2, 3, 4'],
    answer: (run) => {
      const second = passes(run)[1]
      return second ? oneLine(second.printed) : null
    },
  },
  check(run) {
    const [first, second] = passes(run)
    const shared = run.params.shared === true
    const kind = python ? 'process' : 'unit'
    if (!first || !second) return [judged('both units printed', '2 passes', 'missing', false)]
    const checks: Check[] = [
      judged(
        `the first ${kind} negated the original`,
        '-1, -2, -3, -4',
        oneLine(first.printed),
        sameList(first.printed, [-1, -2, -3, -4]),
      ),
    ]
    checks.push(
      shared
        ? judged(
            `the second ${kind} saw 1, 2, 3, 4 because the array is shared`,
            '1, 2, 3, 4',
            oneLine(second.printed),
            sameList(second.printed, [1, 2, 3, 4]),
          )
        : judged(
            `the second ${kind} negated its own copy`,
            '-1, -2, -3, -4',
            oneLine(second.printed),
            sameList(second.printed, [-1, -2, -3, -4]),
          ),
    )
    return checks
  },
})

function passes(run: LessonRun): { name: string; printed: number[] }[] {
  const p = (run.result as { passes?: unknown })?.passes
  return Array.isArray(p) ? p.filter(isObj).map((x) => ({ name: String(x.name), printed: nums(x.printed) })) : []
}
