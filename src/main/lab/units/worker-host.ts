// Entry of every unit the lab spawns: a worker thread or a forked child runs this file, says hello with its
// OS identity, then runs the scenario function or the pool tasks it is sent. The scenario code comes from the module
// named by its first argument (as piscina is handed a `filename`); this file never imports a scenario.
import { getHeapStatistics } from 'node:v8'
import { isMainThread, parentPort, Worker } from 'node:worker_threads'
import { createCpuClock, osThreadId } from '../sampling/self'
import { serializeError } from '../pools/remote-error'
import { createTaskFinder } from '../pools/task-module'
import { createTaskRunner } from '../pools/task-runner'
import type { BrokerOp, FromHost, RunOrder, ToHost } from './protocol'
import { absNow } from './protocol'
import { loadScenarioCode, type ScenarioCode } from './scenario-code'
import { createWorkerApi } from './worker-api'
import { setTimeScale } from './time-scale'
import { lowerOwnPriority } from './priority'

interface Port {
  send(msg: FromHost): void
  onMessage(fn: (msg: ToHost) => void): void
  exit(code: number): void
}

function threadPort(): Port {
  const port = parentPort!
  return {
    send: (msg) => port.postMessage(msg),
    onMessage: (fn) => port.on('message', fn),
    exit: (code) => {
      process.exitCode = code
      port.close()
    },
  }
}

/**
 * Where the kernel cannot end a child with its parent (no setpriv), a thread of the unit's own polls its parent PID, so
 * the unit leaves even while its main thread is inside a long synchronous task.
 */
const PARENT_WATCHDOG = `
const { workerData } = require('node:worker_threads')
setInterval(() => { if (process.ppid !== workerData) process.kill(process.pid, 'SIGKILL') }, 250)
`

function processPort(): Port {
  // The lab gone (even by SIGKILL) closes the IPC channel: leave with it, so nothing is orphaned.
  process.on('disconnect', () => process.exit(0))
  if (process.env.PARALLEL_LAB_WATCH_PARENT === '1')
    new Worker(PARENT_WATCHDOG, { eval: true, workerData: process.ppid }).unref()
  return {
    send: (msg) => process.send?.(msg),
    onMessage: (fn) => process.on('message', (m) => fn(m as ToHost)),
    exit: (code) => {
      // Let queued messages reach the lab before leaving.
      process.send?.({ t: 'flush' }, () => process.exit(code))
    },
  }
}

const port = isMainThread ? processPort() : threadPort()
// Below the lab's own thread, so the lab stays responsive while units fill every core (see priority.ts).
lowerOwnPriority(!isMainThread, isMainThread ? null : osThreadId())
const flags: Record<string, boolean> = {}
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
let nextReq = 1

function request(req: BrokerOp): Promise<unknown> {
  const id = nextReq++
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject })
    port.send({ t: 'req', id, req })
  })
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

async function runScenario(order: RunOrder, code: ScenarioCode): Promise<void> {
  Object.assign(flags, order.flags)
  const api = createWorkerApi(order, port.send, request, flags)
  try {
    const fn = code.findWorker(order.call)
    const value = await fn(api, order.args)
    port.send({ t: 'done', value, at: absNow() })
    port.exit(0)
  } catch (err) {
    port.send({ t: 'fail', error: message(err), at: absNow() })
    port.exit(1)
  }
}

/** A module that cannot be loaded fails every run and task it would have served, with the reason. */
function unloadable(err: unknown): ScenarioCode {
  const fail = (): never => {
    throw new Error(`The scenario module could not be loaded: ${message(err)}`)
  }
  return { findWorker: fail, findTask: fail }
}

let code: ScenarioCode | null = null
// Tasks come from the scenario module, or from a user's module once a pool sends one (see task-module.ts).
const finder = createTaskFinder((name) => code!.findTask(name))
const tasks = createTaskRunner({
  send: port.send,
  find: finder.find,
  cpuClock: createCpuClock(isMainThread ? 'process' : 'thread'),
})

// Messages that arrive while the module loads wait, in order (a child's IPC drops what no listener takes).
const backlog: ToHost[] = []
port.onMessage((msg) => (code ? handle(msg, code) : backlog.push(msg)))
void loadScenarioCode(process.argv[2] || null)
  .catch(unloadable)
  .then((loaded) => {
    code = loaded
    // A thread's first report says its module is loaded: the lab then may terminate it without interrupting a module
    // file's read (Node would leak that file's descriptor). Sent before any waiting task starts (it may be long).
    if (!isMainThread) startReports()
    // Ready only once the scenario code is loaded: units started together (counters' khanh and ai) then begin their
    // work together, instead of one counting while the other still loads the module.
    port.send({ t: 'hello', pid: process.pid, tid: isMainThread ? null : osThreadId(), at: absNow() })
    for (const msg of backlog.splice(0)) handle(msg, loaded)
  })

function handle(msg: ToHost, code: ScenarioCode): void {
  switch (msg.t) {
    case 'run':
      void runScenario(msg, code)
      break
    case 'tasks':
      tasks.run(msg.orders, msg.ack)
      break
    case 'slots':
      tasks.useSlots(msg.buffer)
      break
    case 'timeScale':
      setTimeScale(msg.scale)
      break
    case 'init': {
      const ready = finder.init(msg)
      tasks.holdUntil(ready)
      ready.then(
        () => port.send({ t: 'initDone' }),
        (err) => port.send({ t: 'initFailed', error: serializeError(err) }),
      )
      break
    }
    case 'reply': {
      const p = pending.get(msg.id)
      pending.delete(msg.id)
      if (msg.ok) p?.resolve(msg.value)
      else p?.reject(new Error(msg.error))
      break
    }
    case 'flags':
      Object.assign(flags, msg.flags)
      break
    case 'stop':
      // In a worker thread this ends the thread only; in a child, the process.
      process.exit(0)
  }
}

function startReports(): void {
  // Threads have no RSS of their own: report the isolate's heap instead. Also the thread's CPU time as it sees it,
  // which the lab uses only where the OS gives it no per-thread counters (procfs): its own CPU clock where Node has
  // one, else the event loop's busy time.
  const threadCpuUsage = (process as unknown as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage
  const report = (): void => {
    const cpu = threadCpuUsage?.call(process)
    port.send({
      t: 'self',
      heapBytes: getHeapStatistics().used_heap_size,
      cpuMs: cpu ? (cpu.user + cpu.system) / 1000 : performance.eventLoopUtilization().active,
      cpuSource: cpu ? 'thread-cpu' : 'event-loop',
      at: absNow(),
    })
  }
  report()
  setInterval(report, 250).unref()
}
