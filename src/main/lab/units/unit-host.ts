// Main-side handle on one spawned unit: a worker thread or a forked child running the unit host.
import { fork, type ChildProcess } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { existsSync } from 'node:fs'
import { hasSetpriv, parentDeathArgs, SETPRIV } from '../lifeline/parent-death'
import { Worker, type Transferable } from 'node:worker_threads'
import { createInterface } from 'node:readline'
import { lowerNewThread, lowerSpawned, UNIT_NICE_ENV, unitNiceTarget } from './priority'
import type { FromHost, Mode, ToHost } from './protocol'

export interface ExitInfo {
  code: number | null
  signal: string | null
  /** Uncaught error of the unit, one sentence. */
  error: string | null
  /** True when the lab ended it (kill, stop). */
  killedByLab: boolean
}

export interface UnitHostEvents {
  message: [FromHost]
  output: [string, 'out' | 'err']
  exit: [ExitInfo]
}

/** How long a thread still loading its modules may take before it is terminated anyway. */
const LOAD_WAIT_MS = 5000

/** How long a unit asked to stop may take before it is forced (and again before SIGKILL). */
export const STOP_GRACE_MS = 300

export class UnitHost extends EventEmitter<UnitHostEvents> {
  readonly pid: number
  private worker: Worker | null = null
  /** The worker's internal message port (see keepAlive); null where Node has none by that name. */
  private workerPort: { ref?: () => void; unref?: () => void } | null | undefined = undefined
  private child: ChildProcess | null = null
  private killedByLab = false
  private error: string | null = null
  private exitInfo: ExitInfo | null = null
  readonly exited: Promise<ExitInfo>

  constructor(
    readonly mode: Mode,
    hostFile: string,
    /** The scenario module the unit finds its code in (its first argument); null: only the pool's own tasks. */
    scenarioFile: string | null = null,
    /** Added to a child's environment (the lab's owner tag). */
    env: Record<string, string> = {},
  ) {
    super()
    if (!existsSync(hostFile)) {
      throw new Error(`The unit host ${hostFile} is missing: run "node scripts/build-lab.mjs" (npm run lab does it).`)
    }
    if (scenarioFile !== null && !existsSync(scenarioFile)) {
      throw new Error(
        `The scenario module ${scenarioFile} is missing: run "node scripts/build-lab.mjs" (npm run lab does it).`,
      )
    }
    const argv = scenarioFile === null ? [] : [scenarioFile]
    let done!: (info: ExitInfo) => void
    this.exited = new Promise((resolve) => (done = resolve))
    const finish = (code: number | null, signal: string | null): void => {
      if (this.exitInfo) return
      this.exitInfo = { code, signal, error: this.error, killedByLab: this.killedByLab }
      this.emit('exit', this.exitInfo)
      done(this.exitInfo)
    }

    if (mode === 'thread') {
      const nice = unitNiceTarget()
      const workerEnv = { ...process.env, [UNIT_NICE_ENV]: String(nice) }
      const worker = lowerNewThread(
        () => new Worker(hostFile, { argv, env: workerEnv, stdout: true, stderr: true, execArgv: [] }),
        nice,
      )
      this.worker = worker
      this.pid = process.pid
      worker.on('message', (m: FromHost) => {
        if (m.t === 'self') {
          this.hasReported = true
          this.loaded()
        }
        this.emit('message', m)
      })
      worker.on('error', (err) => (this.error = err.message))
      worker.on('exit', (code) => finish(code, null))
      this.pipeLines(worker.stdout, 'out')
      this.pipeLines(worker.stderr, 'err')
    } else {
      // No inherited execArgv: the host is plain JS and must not pay for the launcher's loaders.
      const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env }
      if (process.versions.electron) childEnv.ELECTRON_RUN_AS_NODE = '1'
      // Without setpriv, the unit watches for the lab itself (see worker-host.ts).
      if (!hasSetpriv) childEnv.PARALLEL_LAB_WATCH_PARENT = '1'
      // Below the lab from its first instruction: its start-up does not compete with the lab's thread either.
      const nice = unitNiceTarget()
      childEnv[UNIT_NICE_ENV] = String(nice)
      const launch = hasSetpriv ? { execPath: SETPRIV, execArgv: parentDeathArgs(process.execPath) } : { execArgv: [] }
      const child = fork(hostFile, argv, {
        ...launch,
        env: childEnv,
        serialization: 'advanced',
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      })
      this.child = child
      this.pid = child.pid ?? -1
      lowerSpawned(this.pid, nice)
      child.on('message', (m) => this.emit('message', m as FromHost))
      child.on('error', (err) => (this.error = err.message))
      child.on('exit', (code, signal) => finish(code, signal))
      this.pipeLines(child.stdout!, 'out')
      this.pipeLines(child.stderr!, 'err')
    }
  }

  private pipeLines(stream: NodeJS.ReadableStream, kind: 'out' | 'err'): void {
    createInterface({ input: stream }).on('line', (line) => this.emit('output', line, kind))
  }

  get alive(): boolean {
    return this.exitInfo === null
  }

  /**
   * `transfer` moves ArrayBuffers to a thread instead of copying them; a child always gets a copy. False when the
   * unit is gone or its channel closed (nothing was sent). A message that cannot be cloned throws (DataCloneError).
   * `onLost` is told when a child's channel broke under a message it accepted (EPIPE): the unit never got it.
   */
  send(msg: ToHost, transfer?: readonly Transferable[], onLost?: () => void): boolean {
    if (!this.alive) return false
    if (this.worker) {
      this.worker.postMessage(msg, transfer)
      return true
    }
    if (!this.child?.connected) return false
    // A message racing the child's exit fails with EPIPE: that is no fault of the unit (its exit tells what
    // happened), so the callback takes the error instead of the 'error' event.
    this.child.send(msg, (err) => err && onLost?.())
    return true
  }

  /**
   * Whether this unit keeps the program alive: an idle pool worker must not (a script that forgets shutdown() ends
   * once its work is done, as in Python), a busy one must.
   */
  keepAlive(on: boolean): void {
    if (this.worker) {
      // Node keeps a worker's internal port referenced while its stdout / stderr are read (as here, line by line), so
      // worker.unref() alone leaves the program running: that port follows too, where this Node version has it.
      if (this.workerPort === undefined) {
        const internal = Object.getOwnPropertySymbols(this.worker).find((s) => s.description === 'kPort')
        this.workerPort = internal
          ? (this.worker as unknown as Record<symbol, { ref?: () => void; unref?: () => void }>)[internal]
          : null
      }
      const port = this.workerPort
      if (on) {
        this.worker.ref()
        port?.ref?.()
      } else {
        this.worker.unref()
        port?.unref?.()
      }
      return
    }
    const child = this.child
    if (!child) return
    const handles = [child, child.channel, child.stdout, child.stderr] as (
      { ref?: () => void; unref?: () => void } | null | undefined
    )[]
    for (const h of handles) (on ? h?.ref : h?.unref)?.call(h)
  }

  /** Ends the unit now: terminate a thread, SIGKILL a child. */
  kill(): void {
    if (!this.alive) return
    this.killedByLab = true
    if (this.worker) this.terminateLoaded()
    else this.child?.kill('SIGKILL')
  }

  /** Resolves with a thread's first report, sent once its module files are loaded (and closed). */
  private loaded: () => void = () => undefined
  private hasReported = false
  private readonly hasLoaded = new Promise<void>((resolve) => (this.loaded = resolve))

  /**
   * Terminates a thread, but not in the middle of loading its modules: Node leaks the descriptor of a module file
   * whose read a terminate interrupts, so a thread still loading is terminated once it has reported (or after
   * LOAD_WAIT_MS, whichever comes first). It cannot run a task before then.
   */
  private terminateLoaded(): void {
    const worker = this.worker
    if (!worker) return
    // Loaded already: terminate now, before anything sent after this call can start on the thread.
    if (this.hasReported) {
      void worker.terminate()
      return
    }
    const wait = new Promise((resolve) => setTimeout(resolve, LOAD_WAIT_MS).unref())
    void Promise.race([this.hasLoaded, wait]).then(() => worker.terminate())
  }

  /**
   * Ends the unit politely: it is asked to leave at its next turn of the event loop (and then ends as "exited");
   * one that does not within the grace period is terminated (threads) or sent SIGTERM then SIGKILL (children).
   */
  async stop(graceMs = STOP_GRACE_MS): Promise<ExitInfo> {
    if (!this.alive) return this.exited
    this.send({ t: 'stop' })
    const force = setTimeout(() => {
      this.killedByLab = true
      if (this.worker) this.terminateLoaded()
      else this.child?.kill('SIGTERM')
    }, graceMs)
    const last = setTimeout(() => this.child?.kill('SIGKILL'), 2 * graceMs)
    const info = await this.exited
    clearTimeout(force)
    clearTimeout(last)
    return info
  }
}
