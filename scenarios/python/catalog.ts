// The Python versions of the tutorial's scenarios: each runs scenarios/python/<name>.py with python3 and follows it.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { lockParam, modeParam, STAGGER_PARAM, type ParamSpec } from '../../src/shared/params'
import { programScenario, pythonCommand, type ScenarioDefinition } from '../../src/main/lab/scenario-api'

/** Where the .py files are: beside this module in a checkout, else under the working directory (or an override). */
export function pythonScriptDir(): string {
  const candidates = [
    process.env.PARALLEL_LAB_PYTHON_DIR,
    import.meta.url.startsWith('file:') ? fileURLToPath(new URL('.', import.meta.url)) : undefined,
    join(process.cwd(), 'scenarios', 'python'),
  ]
  for (const dir of candidates) if (dir && existsSync(join(dir, 'labevents.py'))) return dir
  return join(process.cwd(), 'scenarios', 'python')
}

let python: { available: boolean; reason: string | null } | null = null
/** The interpreter itself (sys.executable): a launcher such as a pyenv shim would add its own processes to every tree. */
let interpreter: string | null = null

/** Checked once: is there a python3 of at least 3.8 (concurrent.futures and multiprocessing as the scripts use them)? */
export function pythonAvailability(): { available: boolean; reason: string | null } {
  if (python) return python
  const command = pythonCommand()
  try {
    const [out, executable] = execFileSync(
      command,
      ['-c', 'import sys; print("%d.%d" % sys.version_info[:2]); print(sys.executable)'],
      {
        encoding: 'utf8',
        timeout: 5000,
      },
    )
      .trim()
      .split('\n')
    interpreter = executable || null
    const [major, minor] = out.split('.').map(Number)
    python =
      major > 3 || (major === 3 && minor >= 8)
        ? { available: true, reason: null }
        : { available: false, reason: `${command} is Python ${out}; these scenarios need 3.8 or newer.` }
  } catch {
    python = { available: false, reason: `${command} was not found: install Python 3 to run the Python scenarios.` }
  }
  if (python.available && !existsSync(join(pythonScriptDir(), 'labevents.py'))) {
    python = {
      available: false,
      reason: `The Python scenario scripts were not found (looked in ${pythonScriptDir()}).`,
    }
  }
  return python
}

const bool = (key: string, label: string, help: string): ParamSpec => ({
  key,
  label,
  type: 'bool',
  default: false,
  help,
})
const choice = (key: string, label: string, options: string[], help: string): ParamSpec => ({
  key,
  label,
  type: 'enum',
  options,
  default: options[0],
  help,
})
const int = (key: string, label: string, min: number, max: number, def: number, help?: string): ParamSpec => ({
  key,
  label,
  type: 'int',
  min,
  max,
  default: def,
  help,
})

const mode: ParamSpec = { ...modeParam, help: 'threading.Thread or multiprocessing.Process.' }
const executor = choice('executor', 'Executor', ['process', 'thread'], 'ProcessPoolExecutor or ThreadPoolExecutor.')

/** Script of a scenario id: `queue` cannot be queue.py, which would shadow the standard library's queue module. */
const SCRIPTS: Record<string, string> = { queue: 'fifo_queue.py' }

function py(id: string, title: string, section: string, summary: string, params: ParamSpec[]): ScenarioDefinition {
  return programScenario({
    id: `py-${id}`,
    title: `${title} (Python)`,
    section,
    summary,
    params,
    runtime: 'python',
    label: 'python3',
    source: () => ({
      path: join(pythonScriptDir(), SCRIPTS[id] ?? `${id.replaceAll('-', '_')}.py`),
      language: 'python',
    }),
    availability: pythonAvailability,
    command: (p) => {
      const dir = pythonScriptDir()
      pythonAvailability()
      return {
        command: interpreter ?? pythonCommand(),
        args: [join(dir, SCRIPTS[id] ?? `${id.replaceAll('-', '_')}.py`), JSON.stringify(p)],
        cwd: dir,
      }
    },
  })
}

export const pythonScenarios: readonly ScenarioDefinition[] = [
  py(
    'counters',
    'Counters',
    'Threads and locks',
    'threading.Thread or multiprocessing.Process units count down from 5; with the Lock on, each holds it for its whole count.',
    [
      mode,
      int('workers', 'Workers', 1, 16, 2),
      { ...lockParam, help: 'Each unit holds the Lock for its whole count. Can be flipped while units loop.' },
      bool('loop', 'Loop', 'Keep counting until stopped, to flip the lock live.'),
      int('from', 'Count from', 1, 100, 5),
      int('delay', 'Sleep (ms)', 0, 1000, 10),
    ],
  ),
  py(
    'shared-array',
    'Shared array',
    'Sharing data between processes',
    'Two processes negate [1, 2, 3, 4] under a Lock: a plain list is copied (both print -1..-4), a multiprocessing.Array is shared (the second prints 1..4).',
    [bool('shared', 'Shared memory', 'Use multiprocessing.Array instead of a plain list.')],
  ),
  py(
    'queue',
    'Queue',
    'A queue shared by processes',
    'A multiprocessing.Queue holds 0..9; two consumer processes take five each with a 10 ms pause.',
    [int('items', 'Items', 2, 1000, 10), int('delay', 'Pause (ms)', 0, 1000, 10), STAGGER_PARAM],
  ),
  py(
    'queue-drain',
    'Queue drain',
    'A queue shared by processes',
    'Tasks "one" and "two" run one after the other on a queue holding [15, 10, 5, 2]: "one" takes all and totals 32.',
    [],
  ),
  py(
    'pool-async',
    'Pool.apply_async',
    'Pools',
    'multiprocessing.Pool(5) squares 0..19; a callback appends each result: completion order, not submission order.',
    [
      int('workers', 'Workers', 1, 32, 5),
      int('count', 'Tasks', 1, 10_000, 20),
      int('jitter', 'Jitter (ms)', 0, 1000, 20, 'Each task sleeps up to this long, so completion order varies.'),
    ],
  ),
  py(
    'executor',
    'Executor submit / done / result',
    'Executors',
    'submit() a counting task to a pool of 5: done() is False at once, result() returns "Completed task1!", then done() is True.',
    [executor, int('workers', 'Workers', 1, 32, 5)],
  ),
  py('executor-map', 'Executor map', 'Executors', 'executor.map of box areas: 100, 100, 100, 400, in input order.', [
    executor,
    int('workers', 'Workers', 1, 32, 4),
  ]),
  py(
    'startup-cost',
    'Start-up cost',
    'Process pool vs thread pool',
    "Time from creating a ProcessPoolExecutor (fork or spawn) and a ThreadPoolExecutor to their first result, beside the tutorial's 0.072 s vs 0.001 s.",
    [
      choice('method', 'Start method', ['both', 'fork', 'spawn'], 'multiprocessing start method of the process pool.'),
      int('workers', 'Workers', 1, 16, 2),
      int('repeat', 'Repeats', 1, 20, 3),
    ],
  ),
  py(
    'cpu-vs-io',
    'CPU-bound vs IO-bound',
    'Process pool vs thread pool',
    'The same CPU-bound and IO-bound jobs, one after another (serial) and on a ThreadPoolExecutor and a ProcessPoolExecutor: the GIL keeps the thread pool near one core.',
    [
      choice(
        'pools',
        'Pools',
        ['all', 'serial', 'thread', 'process'],
        'Which runs to make: all = one after another (serial), then each pool.',
      ),
      choice('job', 'Job', ['both', 'cpu', 'io'], 'CPU-bound (counting), IO-bound (sleeping) or both.'),
      int('workers', 'Workers', 1, 16, 2),
      int('tasks', 'Tasks', 1, 64, 4),
      int('work', 'Work per task (ms)', 10, 10_000, 400, 'About how long one task takes alone.'),
    ],
  ),
]
