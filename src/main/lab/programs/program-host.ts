// Runs one external command as a child (no shell) in a process group of its own, with a side channel for events.
import { spawn, type ChildProcess } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { accessSync, constants, statSync } from 'node:fs'
import { hasSetpriv, parentDeathArgs, SETPRIV } from '../lifeline/parent-death'
import { delimiter, isAbsolute, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { lowerSpawned } from '../units/priority'
import type { FlagsMessage } from '../units/protocol'

/** The program writes JSON lines to this inherited descriptor; its number is also in EVENTS_FD_ENV. */
export const EVENTS_FD = 3
export const EVENTS_FD_ENV = 'PARALLEL_LAB_EVENTS_FD'
/** Processes that do not inherit the descriptor (spawned children) write `@lab {json}` lines to stderr instead. */
export const STDERR_EVENT_PREFIX = '@lab '

/** How long to wait for the last output after the program exited (children may still hold its pipes open). */
const DRAIN_MS = 300

export interface ProgramExit {
  code: number | null
  signal: string | null
  /** Why it could not start or run, one sentence. */
  error: string | null
  killedByLab: boolean
}

export interface ProgramHostEvents {
  output: [string, 'out' | 'err']
  /** A side-channel object, parsed from one JSON line. */
  event: [Record<string, unknown>]
  exit: [ProgramExit]
}

export interface ProgramCommand {
  command: string
  args?: readonly string[]
  cwd?: string
  env?: Record<string, string>
}

/** The file `command` names, looked up on PATH as a spawn would; null if there is none. */
export function findExecutable(command: string, path = process.env.PATH ?? '', cwd = process.cwd()): string | null {
  const candidates = command.includes('/')
    ? [resolve(cwd, command)]
    : path
        .split(delimiter)
        .filter(isAbsolute)
        .map((dir) => join(dir, command))
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK)
      if (statSync(file).isFile()) return file
    } catch {
      // Not there or not executable: try the next.
    }
  }
  return null
}

/** A sentence for a failed spawn: the most common ones are a missing or non-executable command. */
export function spawnErrorMessage(command: string, err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOENT') return `The command "${command}" was not found (not a file, and not on PATH).`
  if (err.code === 'EACCES') return `The command "${command}" is not executable (permission denied).`
  return `The command "${command}" could not start: ${err.message}.`
}

export class ProgramHost extends EventEmitter<ProgramHostEvents> {
  /** -1 when the command could not start. */
  readonly pid: number
  readonly exited: Promise<ProgramExit>
  private readonly child: ChildProcess
  private exitInfo: ProgramExit | null = null
  private killedByLab = false
  private reaped = false

  constructor(readonly spec: ProgramCommand) {
    super()
    let done!: (info: ProgramExit) => void
    this.exited = new Promise((resolve) => (done = resolve))
    // detached: a new session and process group, so the whole tree can be signalled and none of it is orphaned.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PYTHONUNBUFFERED: '1',
      ...spec.env,
      [EVENTS_FD_ENV]: String(EVENTS_FD),
    }
    // A command that cannot be found is spawned as it is, so the error is the spawn's own.
    const file = hasSetpriv ? findExecutable(spec.command, env.PATH, spec.cwd) : null
    const [command, args] = file ? [SETPRIV, parentDeathArgs(file, spec.args)] : [spec.command, [...(spec.args ?? [])]]
    this.child = spawn(command, args, {
      cwd: spec.cwd,
      env,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      shell: false,
      windowsHide: true,
    })
    this.pid = this.child.pid ?? -1
    lowerSpawned(this.pid)
    let spawnError: string | null = null
    const streams = [this.child.stdout!, this.child.stderr!, this.child.stdio[EVENTS_FD] as Readable]
    const ended = Promise.all(streams.map((s) => new Promise<void>((resolve) => s.once('close', resolve))))
    this.lines(this.child.stdout!, (line) => this.emit('output', line, 'out'))
    this.lines(this.child.stderr!, (line) => {
      if (line.startsWith(STDERR_EVENT_PREFIX)) this.parseEvent(line.slice(STDERR_EVENT_PREFIX.length))
      else this.emit('output', line, 'err')
    })
    this.lines(this.child.stdio[EVENTS_FD] as Readable, (line) => this.parseEvent(line))
    this.child.stdin!.on('error', () => undefined)
    const finish = (code: number | null, signal: string | null): void => {
      if (this.exitInfo) return
      this.exitInfo = { code, signal, error: spawnError, killedByLab: this.killedByLab }
      this.emit('exit', this.exitInfo)
      done(this.exitInfo)
    }
    this.child.on('error', (err) => {
      if (this.pid > 0) return
      spawnError = spawnErrorMessage(spec.command, err)
      finish(null, null)
    })
    this.child.on('exit', (code, signal) => {
      this.reaped = true
      const drain = setTimeout(() => finish(code, signal), DRAIN_MS)
      void ended.then(() => {
        clearTimeout(drain)
        finish(code, signal)
      })
    })
  }

  get alive(): boolean {
    return !this.reaped && this.exitInfo === null
  }

  /** Whether the root's PID is still ours to signal (not yet reaped by Node). */
  get unreaped(): boolean {
    return this.pid > 0 && !this.reaped
  }

  /** Writes one JSON line to the program's stdin (live switches such as the lock). */
  send(message: FlagsMessage): void {
    if (this.alive && this.child.stdin?.writable) this.child.stdin.write(JSON.stringify(message) + '\n')
  }

  /** Signals the root process (never anything else: the tree is the caller's business). */
  signalRoot(signal: NodeJS.Signals): void {
    if (!this.unreaped) return
    this.killedByLab = true
    this.child.kill(signal)
  }

  /** Signals the process group the lab created. The caller checks that the group still holds one of its members. */
  signalGroup(signal: NodeJS.Signals): void {
    if (this.pid <= 0 || process.platform === 'win32') return
    this.killedByLab = true
    try {
      process.kill(-this.pid, signal)
    } catch {
      // ESRCH: the group is empty.
    }
  }

  /**
   * Lets go of the program's pipes: a descendant that inherited them (a daemon that kept stdout) must not keep a
   * reader such as the CLI waiting once the lab is done with the program.
   */
  release(): void {
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr, this.child.stdio[EVENTS_FD]]) s?.destroy()
  }

  markKilledByLab(): void {
    this.killedByLab = true
  }

  private parseEvent(line: string): void {
    try {
      const value: unknown = JSON.parse(line)
      if (typeof value === 'object' && value !== null && !Array.isArray(value))
        this.emit('event', value as Record<string, unknown>)
    } catch {
      this.emit('output', `(unreadable event line) ${line.slice(0, 200)}`, 'err')
    }
  }

  private lines(stream: Readable, fn: (line: string) => void): void {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', fn)
  }
}
