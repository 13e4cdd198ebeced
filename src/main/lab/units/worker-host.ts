// Entry of every unit the lab spawns: a worker thread or a forked child runs this file, says hello with its
// OS identity, then runs the scenario function or the pool tasks it is sent.
import { readlinkSync } from 'node:fs'
import { getHeapStatistics } from 'node:v8'
import { isMainThread, parentPort } from 'node:worker_threads'
import { findTask, findWorker } from '../../../../scenarios/registry'
import { createTaskCpuClock } from '../pools/task-cpu'
import type { BrokerOp, FromHost, RunOrder, TaskOrder, ToHost } from './protocol'
import { absNow } from './protocol'
import { createWorkerApi } from './worker-api'

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

function processPort(): Port {
  // The lab gone (even by SIGKILL) closes the IPC channel: leave with it, so nothing is orphaned.
  process.on('disconnect', () => process.exit(0))
  return {
    send: (msg) => process.send?.(msg),
    onMessage: (fn) => process.on('message', (m) => fn(m as ToHost)),
    exit: (code) => {
      // Let queued messages reach the lab before leaving.
      process.send?.({ t: 'heap', bytes: 0 }, () => process.exit(code))
    },
  }
}

/** The OS thread id: /proc/thread-self links to PID/task/TID on Linux. */
function osThreadId(): number | null {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    return Number.isInteger(tid) ? tid : null
  } catch {
    return null
  }
}

const port = isMainThread ? processPort() : threadPort()
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

async function runScenario(order: RunOrder): Promise<void> {
  Object.assign(flags, order.flags)
  const api = createWorkerApi(order, port.send, request, flags)
  try {
    const fn = findWorker(order.call)
    const value = await fn(api, order.args)
    port.send({ t: 'done', value, at: absNow() })
    port.exit(0)
  } catch (err) {
    port.send({ t: 'fail', error: message(err), at: absNow() })
    port.exit(1)
  }
}

const cpuClock = createTaskCpuClock(isMainThread ? 'process' : 'thread')
const taskFns = new Map<string, (...args: unknown[]) => unknown>()
const taskQueue: TaskOrder[] = []
let taskRunning = false
// One CPU reading per task: the reading at the end of a task is the start of the next. Between them the unit only
// sends a reply and receives the next order, which is thus counted in the next task: cheap enough for 20,000 tasks/s.
let cpuMark = cpuClock()

/** Tasks run one at a time, in the order they came, even async ones; a synchronous task never waits for a microtask. */
function enqueueTask(order: TaskOrder): void {
  taskQueue.push(order)
  if (taskRunning) return
  taskRunning = true
  let next: TaskOrder | undefined
  while ((next = taskQueue.shift()) && !startTask(next));
  taskRunning = next !== undefined
}

/** Runs a task; true if it went async (its promise carries on with the queue when it settles). */
function startTask(order: TaskOrder): boolean {
  const startedAt = absNow()
  const cpu0 = cpuMark
  let value: unknown
  try {
    let fn = taskFns.get(order.name)
    if (!fn) taskFns.set(order.name, (fn = findTask(order.name)))
    value = fn(...order.args)
  } catch (err) {
    finishTask(order, startedAt, cpu0, false, err)
    return false
  }
  if (!(value instanceof Promise)) {
    finishTask(order, startedAt, cpu0, true, value)
    return false
  }
  value.then(
    (v) => finishTask(order, startedAt, cpu0, true, v),
    (err) => finishTask(order, startedAt, cpu0, false, err),
  ).finally(() => {
    taskRunning = false
    const rest = taskQueue.splice(0)
    for (const o of rest) enqueueTask(o)
  })
  return true
}

function finishTask(order: TaskOrder, startedAt: number, cpu0: number | null, ok: boolean, outcome: unknown): void {
  const endedAt = absNow()
  const cpu1 = cpuClock()
  cpuMark = cpu1
  const cpuMs = cpu1 === null || cpu0 === null ? null : cpu1 - cpu0
  port.send(ok ? { t: 'taskDone', id: order.id, ok, value: outcome, startedAt, endedAt, cpuMs } : { t: 'taskDone', id: order.id, ok, error: message(outcome), startedAt, endedAt, cpuMs })
}

port.onMessage((msg) => {
  switch (msg.t) {
    case 'run':
      void runScenario(msg)
      break
    case 'task':
      enqueueTask(msg)
      break
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
  }
})

if (!isMainThread) {
  // Threads have no RSS of their own: report the isolate's heap instead.
  const report = (): void => port.send({ t: 'heap', bytes: getHeapStatistics().used_heap_size })
  report()
  setInterval(report, 250).unref()
}

port.send({ t: 'hello', pid: process.pid, tid: isMainThread ? null : osThreadId(), at: absNow() })
