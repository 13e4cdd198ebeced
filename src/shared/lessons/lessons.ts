// Each lesson's point, its departures from the classic tutorial, and the checks that show the point on the actual run.
import type { Check, Lesson, LessonRun } from './verdict'
import { isObj, judged, nums, oneLine, predictionCheck, round, sameList, shown } from './verdict'
import { counters, sharedArray } from './lessons-threads'

export type { Check, Lesson, LessonRun } from './verdict'

const queue = (python: boolean): Lesson => ({
  point:
    'One FIFO queue, two consumers: every item is taken exactly once, in the order it was put, and the consumers take turns: while one pauses after a take, the other takes the next item.',
  departs: `${
    python
      ? 'A multiprocessing.Queue as in the tutorial; a shared counter under the same lock as get() records the true order of takes.'
      : 'Node processes share no memory: the queue lives in the lab, which hands out items in order to whichever consumer asks (like multiprocessing.Manager().Queue()).'
  } "Second starts after" holds the second consumer back: longer than the first one needs for its share, and there are no turns.`,
  check(run) {
    const taken = Array.isArray((run.result as { taken?: unknown })?.taken)
      ? ((run.result as { taken: { item: unknown; by: string }[] }).taken ?? [])
      : []
    const items = Number(run.params.items ?? 10)
    const got = taken.map((t) => t.item)
    const expected = Array.from({ length: items }, (_, i) => i)
    const by = taken.map((t) => t.by)
    const turns = by.filter((b, i) => i > 0 && b !== by[i - 1]).length
    const consumers = [...new Set(by)]
    // Two even shares allow a switch after every take; turn-taking is at least half of those.
    const possible = Math.max(0, got.length - 1)
    const needed = Math.ceil(possible / 2)
    const switched = `${turns} ${turns === 1 ? 'switch' : 'switches'}`
    return [
      judged('every item taken exactly once, in FIFO order', oneLine(expected), oneLine(got), sameList(got, expected)),
      judged(
        'both consumers took from the one queue',
        '2 consumers',
        `${consumers.length}: ${oneLine(consumers)}`,
        consumers.length === 2,
      ),
      judged(
        `the consumers take turns: ${switched} between ${oneLine(consumers)}`,
        `at least ${needed} of ${possible} possible switches`,
        switched,
        consumers.length === 2 && turns >= needed,
      ),
    ]
  },
})

const queueDrain = (python: boolean): Lesson => ({
  point:
    'Task "one" starts first and empties the shared queue before "two" gets going: "one" totals 32, "two" finds nothing to do.',
  departs: python
    ? 'As in the tutorial: a queue.Queue drained by two tasks on a ThreadPoolExecutor. It is a race "one" nearly always wins; its lines are printed after its loop, since a print inside it lets the GIL pass to "two".'
    : 'Node units get the queue from the lab; "two" is started when "one" has returned, so the outcome the tutorial shows is certain rather than a race.',
  check(run) {
    const r = run.result
    const tasks: { name: string; took: number[]; total: number }[] =
      isObj(r) && Array.isArray(r.tasks)
        ? (r.tasks as { name: string; took: number[]; total: number }[])
        : isObj(r)
          ? Object.entries(r)
              .filter(([, v]) => isObj(v))
              .map(([name, v]) => ({
                name,
                took: nums((v as Record<string, unknown>).taken),
                total: Number((v as Record<string, unknown>).total),
              }))
          : []
    const one = tasks.find((t) => t.name === 'one')
    const two = tasks.find((t) => t.name === 'two')
    return [
      judged(
        '"one" takes all four items',
        '15, 10, 5, 2 (total 32)',
        one ? `${oneLine(one.took) || 'nothing'} (total ${one.total})` : 'no result',
        !!one && one.total === 32 && one.took.length === 4,
      ),
      judged(
        '"two" finds nothing to do',
        'nothing',
        two ? (two.took.length ? oneLine(two.took) : 'nothing') : 'no result',
        !!two && two.took.length === 0,
      ),
    ]
  },
})

const poolAsync = (python: boolean): Lesson => {
  const predict = {
    question: 'In what order will the callback list hold the squares?',
    options: ['submission order (0, 1, 4, 9, …)', 'completion order (mixed)'],
    answer: (run: LessonRun): string | null => {
      const results = nums((run.result as { results?: unknown })?.results)
      const submitted = nums((run.result as { submitted?: unknown })?.submitted)
      if (results.length < 2) return null
      return sameList(results, submitted) ? 'submission order (0, 1, 4, 9, …)' : 'completion order (mixed)'
    },
  }
  return {
    point:
      'apply_async returns at once; each callback appends its square as its task finishes, so the list is in completion order, not submission order.',
    departs: python
      ? "multiprocessing.Pool as in the tutorial, with a random sleep (jitter) per task so the finishing order visibly varies; the pool's own helper threads are folded away except the one that runs the callbacks."
      : "A pool of worker threads or processes with Python's API; each task sleeps a random jitter so the finishing order varies.",
    predict,
    check(run) {
      const results = nums((run.result as { results?: unknown })?.results)
      const submitted = nums((run.result as { submitted?: unknown })?.submitted)
      const sorted = [...results].sort((a, b) => a - b)
      const checks: Check[] = [
        judged(
          'every square arrives once',
          `${submitted.length} squares`,
          `${results.length} squares: ${oneLine(results)}`,
          sameList(
            sorted,
            [...submitted].sort((a, b) => a - b),
          ),
        ),
      ]
      if (submitted.length > 1) {
        checks.push(
          judged(
            'completion order ≠ submission order',
            `not ${oneLine(submitted, 5)}`,
            sameList(results, submitted)
              ? `submission order: ${oneLine(results, 5)}`
              : `first result was ${results[0]}`,
            !sameList(results, submitted),
          ),
        )
      }
      return checks
    },
  }
}

/** A lesson whose point and checks are the same for both twins: only where it departs from the tutorial differs. */
const twins =
  (lesson: Omit<Lesson, 'departs'> & { departs: { python: string; node: string } }) =>
  (python: boolean): Lesson => ({ ...lesson, departs: python ? lesson.departs.python : lesson.departs.node })

const executor = twins({
  point:
    'submit() returns a future at once: done() is False while the task runs, result() waits for "Completed task1!", and done() is then True.',
  departs: {
    python:
      'concurrent.futures as in the tutorial. "Quick" counts 10 with no sleep: on a thread pool the task can finish before done() is asked, as in the tutorial\'s thread-pool output.',
    node: 'Node pools with the same submit / done / result API; the task logs from its worker.',
  },
  check(run) {
    const r = isObj(run.result) ? run.result : {}
    const quick = run.params.quick === true
    return [
      quick
        ? shown(
            'done() right after submit',
            String(r.doneAfterSubmit),
            'False, or True if the quick task already finished',
          )
        : judged('done() right after submit', 'False', String(r.doneAfterSubmit), r.doneAfterSubmit === false),
      judged('result() waits for the task', 'Completed task1!', String(r.result), r.result === 'Completed task1!'),
      judged('done() after result()', 'True', String(r.doneAfterResult), r.doneAfterResult === true),
    ]
  },
})

const executorMap = twins({
  point:
    "map() yields results in input order — 100, 100, 100, 400 — whatever order the tasks finish in (the jitter mixes that up; apply_async's callbacks would not wait).",
  departs: {
    python:
      "The tutorial's boxes; each task sleeps a random jitter so the finishing order differs from the input order.",
    node: "The tutorial's boxes on a Node pool; each task sleeps a random jitter so the finishing order differs from the input order.",
  },
  predict: {
    question: 'In what order will map() give the areas back?',
    options: ['input order', 'completion order'],
    answer: (run) => {
      const areas = nums((run.result as { areas?: unknown })?.areas)
      return areas.length ? (sameList(areas, [100, 100, 100, 400]) ? 'input order' : 'completion order') : null
    },
  },
  check(run) {
    const areas = nums((run.result as { areas?: unknown })?.areas)
    const finished = run.tasks
      .filter((t) => t.phase === 'finished')
      .sort((a, b) => a.t - b.t)
      .map((t) => t.task)
    const checks = [
      judged('results in input order', '100, 100, 100, 400', oneLine(areas), sameList(areas, [100, 100, 100, 400])),
    ]
    if (finished.length > 1) {
      const inOrder = finished.every((n, i) => i === 0 || n > finished[i - 1])
      checks.push(
        shown(
          'order the tasks finished in',
          `${oneLine(finished.map((n) => `box ${n}`))}${inOrder ? ' (input order this time)' : ''}`,
          'any order',
        ),
      )
    }
    return checks
  },
})

const startupCost = twins({
  point:
    'A process pool takes far longer to give its first result than a thread pool: each process starts an interpreter of its own.',
  departs: {
    python:
      "Both start methods: fork (Linux's default) and spawn (the tutorial's, on Windows and macOS), beside the tutorial's 0.072 s vs 0.001 s.",
    node: 'Node: a worker thread also takes milliseconds to start, because each has a V8 isolate (its own heap and event loop) of its own; a child process starts a whole Node.',
  },
  check(run) {
    const r = isObj(run.result) ? run.result : {}
    const medians = isObj(r.medianMs)
      ? (r.medianMs as Record<string, number>)
      : { process: Number(r.processMs), thread: Number(r.threadMs) }
    const thread = medians.thread
    const procs = Object.entries(medians).filter(([k]) => k.startsWith('process'))
    const checks: Check[] = procs.map(([k, ms]) =>
      judged(
        `${k.replace('-', ' (')}${k.includes('-') ? ')' : ''} pool starts slower than the thread pool`,
        'tutorial: 72 ms vs 1 ms',
        `${round(ms)} ms vs ${round(thread)} ms`,
        ms > thread,
      ),
    )
    return checks
  },
})

const cpuVsIo = (python: boolean): Lesson =>
  python
    ? {
        point:
          'Under the GIL a thread pool gains nothing on CPU-bound work — its threads together use about one core — while a process pool uses every core; on IO-bound work (sleeping) threads gain too.',
        departs: "The tutorial's advice measured: CPU time over wall time gives the cores each pool kept busy.",
        predict: {
          question: 'On the CPU-bound job, the thread pool against one-after-another is…',
          options: ['faster', 'about the same', 'slower'],
          answer: (run) => {
            const s = pyJobs(run).cpu?.thread?.speedup
            return s === undefined ? null : s >= 1.25 ? 'faster' : s <= 0.8 ? 'slower' : 'about the same'
          },
        },
        check(run) {
          const jobs = pyJobs(run)
          const checks: Check[] = []
          const cpuThread = jobs.cpu?.thread
          if (cpuThread)
            checks.push(
              judged(
                `the thread pool's ${run.params.workers ?? 2} threads together used one core: the GIL`,
                'at most about 1 core',
                `${round(cpuThread.cores)} cores, speed-up ${round(cpuThread.speedup)}x`,
                cpuThread.cores <= 1.25,
              ),
            )
          const cpuProc = jobs.cpu?.process
          if (cpuProc)
            checks.push(
              shown(
                'the process pool on the same job',
                `${round(cpuProc.cores)} cores, speed-up ${round(cpuProc.speedup)}x`,
                'more cores, as many as the machine can give',
              ),
            )
          const ioThread = jobs.io?.thread
          if (ioThread)
            checks.push(
              judged(
                'on IO-bound work the thread pool overlaps the waits',
                'speed-up above 1.3x',
                `${round(ioThread.speedup)}x`,
                ioThread.speedup > 1.3,
              ),
            )
          return checks
        },
      }
    : {
        point:
          'Node threads have no GIL — the contrast with Python: here a thread pool does speed CPU-bound work up, like a process pool, and starts faster. On IO-bound work both pools overlap the waits.',
        departs:
          'Node has no GIL, so the tutorial\'s "CPU-bound: processes" does not hold here; py-cpu-vs-io shows Python, where it does.',
        predict: {
          question: 'On the CPU-bound job, a Node thread pool against one-after-another is…',
          options: ['faster', 'about the same', 'slower'],
          answer: (run) => {
            const s = nodeJob(run, 'cpu')?.thread?.speedup
            return s === undefined || s === null ? null : s >= 1.25 ? 'faster' : s <= 0.8 ? 'slower' : 'about the same'
          },
        },
        check(run) {
          const cpu = nodeJob(run, 'cpu')
          const io = nodeJob(run, 'io')
          const checks: Check[] = []
          const workers = Number(run.params.workers ?? 2)
          const thread = cpu?.thread
          if (thread?.speedup != null) {
            // Threads that ran at once kept more than one core busy; one core's worth is all a GIL would allow. One
            // thread cannot run two tasks at once, whatever a short run's CPU figure (it counts the whole lab) says.
            const cores = coresOf(thread)
            const procCores = cpu?.process ? coresOf(cpu.process) : null
            const atOnce = workers >= 2 && (cores === null || cores > 1.25)
            const noSpareCore = !atOnce && procCores !== null && procCores <= 1.25
            checks.push(
              judged(
                `no GIL: the thread pool's ${workers} ${workers === 1 ? 'thread' : 'threads'} ran CPU-bound tasks at once, faster`,
                'more than 1.25 cores busy, speed-up above 1.1x',
                `${cores === null ? '' : `${round(cores)} cores, `}speed-up ${round(thread.speedup)}x${
                  workers === 1
                    ? ' (one thread runs one task at a time)'
                    : noSpareCore
                      ? ` (the process pool kept only ${round(procCores)} cores busy too: the machine had no spare core during this run)`
                      : ''
                }`,
                atOnce && thread.speedup > 1.1,
              ),
            )
          }
          if (cpu?.process?.speedup != null) {
            const procCores = coresOf(cpu.process)
            checks.push(
              shown(
                'the process pool on the same job',
                `${procCores === null ? '' : `${round(procCores)} cores, `}speed-up ${round(cpu.process.speedup)}x`,
              ),
            )
          }
          if (io?.thread?.speedup != null)
            checks.push(
              judged(
                'on IO-bound work the thread pool overlaps the waits',
                'speed-up above 1.3x',
                `${round(io.thread.speedup)}x`,
                workers > 1 ? io.thread.speedup > 1.3 : true,
              ),
            )
          return checks
        },
      }

type PyFigures = { seconds: number; speedup: number; cores: number }
function pyJobs(run: LessonRun): Record<string, Record<string, PyFigures> | undefined> {
  const jobs = (run.result as { jobs?: unknown })?.jobs
  return isObj(jobs) ? (jobs as Record<string, Record<string, PyFigures>>) : {}
}

type NodeFigures = { speedup: number | null; wallMs?: number; cpuMs?: number | null }

/** Cores a pool kept busy: its CPU time over its wall time (null when the CPU time is unknown). */
function coresOf(f: NodeFigures): number | null {
  return f.cpuMs != null && f.wallMs ? f.cpuMs / f.wallMs : null
}
function nodeJob(run: LessonRun, job: string): { thread?: NodeFigures; process?: NodeFigures } | undefined {
  const r = run.result
  return isObj(r) && isObj(r[job]) ? (r[job] as { thread?: NodeFigures; process?: NodeFigures }) : undefined
}

const LESSONS: Record<string, (python: boolean) => Lesson> = {
  counters,
  'shared-array': sharedArray,
  queue,
  'queue-drain': queueDrain,
  'pool-async': poolAsync,
  executor,
  'executor-map': executorMap,
  'startup-cost': startupCost,
  'cpu-vs-io': cpuVsIo,
}

/** The scenarios (Node ids; each has a "py-" twin) that have a lesson, in catalog order. */
export const LESSON_SCENARIOS: readonly string[] = Object.keys(LESSONS)

/** The lesson of a scenario id ("counters", "py-counters"), or null for scenarios that teach nothing in particular. */
export function lessonFor(scenario: string): Lesson | null {
  const python = scenario.startsWith('py-')
  const make = LESSONS[python ? scenario.slice(3) : scenario]
  return make ? make(python) : null
}

export interface Verdict {
  checks: Check[]
  /** True when every judged check holds; null when nothing could be judged (the run failed, or has not ended). */
  ok: boolean | null
}

/** The lesson's checks on a finished run, plus the answer to a prediction made before Start. */
export function verdictOf(scenario: string, run: LessonRun, predicted?: string | null): Verdict | null {
  const lesson = lessonFor(scenario)
  if (!lesson) return null
  if (run.status !== 'done') return { checks: [], ok: null }
  const checks = lesson.check(run)
  if (predicted && lesson.predict) checks.push(predictionCheck(lesson.predict, predicted, run))
  const judgedChecks = checks.filter((c) => c.ok !== null && !c.label.startsWith('your prediction'))
  return { checks, ok: judgedChecks.length ? judgedChecks.every((c) => c.ok) : null }
}
