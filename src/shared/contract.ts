// LabApi: every command the UI can send and every event the lab pushes. The one source of truth for IPC.
import type { AttachInfo, LabSnapshot, ProcessListing, RunHistory, RunInfo, RunSummary, Tick } from './model'
import type { FieldError, ParamSpec, Validation } from './params'
import { INTERVAL_MAX_MS, INTERVAL_MIN_MS } from './params'
import { echo, own } from './bounds'
import type { CompareProgress, CompareRequest, CompareResult } from './compare/types'
import { COMPARE_LIMITS, validateCompareRequest } from './compare/types'
import type { Settings, SettingsState } from './settings'
import { validateSettingsPatch } from './settings'
import type { ReplayFrame, ReplayInfo, SessionInfo, SessionTotals } from './recording/format'

export interface ScenarioInfo {
  id: string
  title: string
  /** Tutorial section it reproduces, used to group the catalog. */
  section: string
  summary: string
  /** 'program' = a user's own command from the programs folder. */
  runtime: 'node' | 'python' | 'program'
  params: ParamSpec[]
  /** False when it cannot run here (for example no python3); `reason` says why. */
  available: boolean
  reason: string | null
}

/** The code a scenario runs, as a learner reads it: the Python script, or the Node scenario's own file. */
export interface ScenarioSource {
  scenario: string
  /** File name, e.g. "counters.py". */
  file: string
  language: 'python' | 'typescript'
  text: string
}

/** The slowest slow motion: sleeps 20 times longer. */
export const TIME_SCALE_MAX = 20

/** Request/response of every command. `void` request = no payload. */
export interface LabCommandMap {
  listScenarios: { req: void; res: ScenarioInfo[] }
  /**
   * Lets the person pick a program file with the desktop app's Open dialog and adds it to their programs folder.
   * Resolves with the new catalog entry, or null if they cancelled. Only the desktop app can show the dialog.
   */
  openProgram: { req: void; res: ScenarioInfo | null }
  snapshot: { req: void; res: LabSnapshot }
  /** timeScale: slow motion, every sleep of the run lasts that many times longer (1 to TIME_SCALE_MAX). */
  start: { req: { scenario: string; params?: Record<string, unknown>; timeScale?: number }; res: RunInfo }
  stop: { req: { runId: string }; res: RunInfo }
  setLock: { req: { runId: string; on: boolean }; res: RunInfo }
  resizePool: { req: { runId: string; size: number }; res: RunInfo }
  kill: { req: { unitId: string }; res: void }
  /** How often the lab samples and sends a tick, 100 to 5000 ms. */
  setSamplingInterval: { req: { ms: number }; res: void }
  summary: { req: { runId: string }; res: RunSummary }
  /** Runs a comparison of pool strategies; resolves with its result when it ends (or is cancelled). One at a time. */
  compare: { req: CompareRequest; res: CompareResult }
  /** Cancels the running comparison (no-op when none runs). */
  cancelCompare: { req: void; res: void }
  /** The source of a scenario (not-found when the lab has no readable file for it, e.g. a user's program). */
  scenarioSource: { req: { scenario: string }; res: ScenarioSource }
  /** A run's log, events, state changes and units as far as the lab still keeps them (a window reloading gets them back). */
  runHistory: { req: { runId: string }; res: RunHistory }
  /** Every process on the machine (PID, user, name, command line, CPU %, memory), for the attach picker. */
  listProcesses: { req: void; res: ProcessListing }
  /**
   * Watches a running process the lab did not start, with its descendants and threads; it is never signalled.
   * `startTime` is the one the listing gave: a PID reused since then is refused.
   */
  attach: { req: { pid: number; startTime?: number }; res: AttachInfo }
  /** Stops watching an attached process (any unit of its tree); the process goes on. */
  detach: { req: { unitId: string }; res: RunInfo }
  /** The remembered settings, with a notice (once) when the settings file could not be used. */
  getSettings: { req: void; res: SettingsState }
  /** Changes some settings (only the keys given) and stores them; resolves with all of them. */
  setSettings: { req: Partial<Settings>; res: Settings }
  /** Every setting back to its default. */
  resetSettings: { req: void; res: Settings }
  /** Versions for Help > About. */
  about: { req: void; res: AboutInfo }
  /** Ends the app: every unit the lab started is ended first (browser mode: the server stops too). */
  quit: { req: void; res: void }
  /** Recorded sessions, newest first. */
  listSessions: { req: void; res: SessionInfo[] }
  deleteSession: { req: { name: string }; res: void }
  /** Opens a recording for replay (read only: nothing in it is executed). */
  openSession: { req: { name: string }; res: ReplayInfo }
  /** What views show at lab-clock time `t` of a recording, with `historyMs` of history before it. */
  sessionFrame: { req: { name: string; t: number; historyMs: number }; res: ReplayFrame }
  /** Totals and CPU series of a recording, for comparing two. */
  sessionTotals: { req: { name: string }; res: SessionTotals }
  /**
   * Lets the person pick a recording (.plrec) with the desktop app's Open dialog: it is checked as a recording, copied
   * into the sessions folder (unless it is there already) and listed. Null if they cancelled. Desktop app only.
   */
  openRecording: { req: void; res: SessionInfo | null }
  /** Adds a recording file from elsewhere, sent in base64 parts of at most 32 KiB; the last part returns it, checked. */
  uploadSession: {
    req: { upload: string; fileName: string; part: number; data: string; last: boolean }
    res: SessionInfo | null
  }
  /** Whether runs, watches and comparisons are recorded, and where. */
  recordingStatus: { req: void; res: RecordingStatus }
  /** Turns recording on or off and keeps that as the "record" setting (a lab started with it forced off stays off). */
  setRecording: { req: { on: boolean }; res: RecordingStatus }
}

/** What Help > About shows. Null where it does not apply (no Electron in browser mode) or was not found. */
export interface AboutInfo {
  app: string
  electron: string | null
  node: string
  /** Electron's Chromium; in browser mode the page adds its own browser's version. */
  chromium: string | null
  /** "3.11.2 (/usr/bin/python3)", or null when no python3 was found. */
  python: string | null
  platform: string
}

export interface RecordingStatus {
  enabled: boolean
  /** What forces recording off whatever the setting says (PARALLEL_LAB_RECORD=0, --no-record), in words; else null. */
  forcedOff: string | null
  dir: string
  /** File being written now, if any. */
  current: string | null
}

/** Events the lab pushes. One `tick` per scheduler interval carries everything. */
export interface LabEventMap {
  tick: Tick
  /** A comparison moved on (one per strategy run, not per task). */
  compareProgress: CompareProgress
  /** A command chosen in the desktop app's menu, for the window to carry out (ids from src/shared/commands.ts). */
  appCommand: { id: string }
}

export type CommandName = keyof LabCommandMap
export type EventName = keyof LabEventMap
export type Unsubscribe = () => void

export type LabCommands = {
  [K in CommandName]: LabCommandMap[K]['req'] extends void
    ? () => Promise<LabCommandMap[K]['res']>
    : (req: LabCommandMap[K]['req']) => Promise<LabCommandMap[K]['res']>
}

export type LabSubscriptions = {
  [E in EventName as `on${Capitalize<E>}`]: (listener: (payload: LabEventMap[E]) => void) => Unsubscribe
}

/** What the renderer sees as `window.lab` (Electron) or through the WebSocket (browser mode). */
export type LabApi = LabCommands & LabSubscriptions

export const COMMANDS = [
  'listScenarios',
  'openProgram',
  'snapshot',
  'start',
  'stop',
  'setLock',
  'resizePool',
  'kill',
  'setSamplingInterval',
  'summary',
  'compare',
  'cancelCompare',
  'scenarioSource',
  'runHistory',
  'listProcesses',
  'attach',
  'detach',
  'getSettings',
  'setSettings',
  'resetSettings',
  'about',
  'quit',
  'listSessions',
  'deleteSession',
  'openSession',
  'sessionFrame',
  'sessionTotals',
  'uploadSession',
  'openRecording',
  'recordingStatus',
  'setRecording',
] as const satisfies readonly CommandName[]

export const EVENTS = ['tick', 'compareProgress', 'appCommand'] as const satisfies readonly EventName[]

export function subscriptionName<E extends EventName>(event: E): `on${Capitalize<E>}` {
  return `on${event[0].toUpperCase()}${event.slice(1)}` as `on${Capitalize<E>}`
}

export type LabErrorCode = 'invalid' | 'not-found' | 'conflict' | 'failed'

/** An error a person can read: `message` is a sentence, `field` names the input at fault. */
export interface LabErrorInfo {
  code: LabErrorCode
  message: string
  field?: string
  errors?: FieldError[]
}

export class LabError extends Error {
  readonly code: LabErrorCode
  readonly field?: string
  readonly errors?: FieldError[]
  constructor(code: LabErrorCode, message: string, field?: string, errors?: FieldError[]) {
    super(message)
    this.name = 'LabError'
    this.code = code
    this.field = field
    this.errors = errors
  }
  toInfo(): LabErrorInfo {
    return { code: this.code, message: this.message, field: this.field, errors: this.errors }
  }
  static from(info: LabErrorInfo): LabError {
    return new LabError(info.code, info.message, info.field, info.errors)
  }
  static invalid(errors: FieldError[]): LabError {
    return new LabError('invalid', errors.map((e) => e.message).join(' '), errors[0]?.field, errors)
  }
}

/** Envelope a transport carries so errors keep their shape across IPC or a socket. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: LabErrorInfo }

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

function fail(field: string, message: string): Validation<never> {
  return { ok: false, errors: [{ field, message }] }
}

/** Ids (runs, units) and scenario names are short; anything longer is not one. */
export const ID_MAX_CHARS = 200

/** `int`: a whole number in [min, max]; `optional`: may be left out. */
type FieldKind = 'string' | 'boolean' | 'object?' | { int: [min: number, max: number]; optional?: true }

function shape<T>(payload: unknown, fields: Record<string, FieldKind>): Validation<T> {
  if (!isObj(payload)) return fail('payload', 'The request must be an object.')
  for (const key of Object.keys(payload)) {
    if (!Object.hasOwn(fields, key))
      return fail(key, `${echo(key)} is not part of this request (it takes ${Object.keys(fields).join(', ')}).`)
  }
  for (const [key, kind] of Object.entries(fields)) {
    const v = own(payload, key)
    if (kind === 'object?') {
      if (v !== undefined && !isObj(v)) return fail(key, `${key} must be an object (got ${echo(v)}).`)
    } else if (typeof kind === 'object') {
      if (kind.optional && v === undefined) continue
      const [min, max] = kind.int
      if (!Number.isInteger(v) || (v as number) < min || (v as number) > max)
        return fail(key, `${key} must be a whole number from ${min} to ${max} (got ${echo(v)}).`)
    } else if (typeof v !== kind) {
      return fail(key, `${key} must be ${kind === 'string' ? 'a string' : 'true or false'} (got ${echo(v)}).`)
    } else if (kind === 'string' && (v as string).length > ID_MAX_CHARS) {
      return fail(key, `${key} must be at most ${ID_MAX_CHARS} characters (got ${(v as string).length}).`)
    }
  }
  return { ok: true, value: payload as T }
}

const none = (payload: unknown): Validation<void> =>
  payload === undefined || payload === null
    ? { ok: true, value: undefined }
    : fail('payload', 'This command takes no payload.')

/** Shape checks applied at every boundary (IPC, WebSocket) before a command reaches the lab. */
export const validators: { [K in CommandName]: (payload: unknown) => Validation<LabCommandMap[K]['req']> } = {
  listScenarios: none,
  openProgram: none,
  snapshot: none,
  start: (p) => {
    // Slow motion is optional: checked on its own, then the rest of the request as usual.
    if (!isObj(p) || p.timeScale === undefined) return shape(p, { scenario: 'string', params: 'object?' })
    const { timeScale, ...rest } = p
    if (!Number.isInteger(timeScale) || (timeScale as number) < 1 || (timeScale as number) > TIME_SCALE_MAX) {
      return fail(
        'timeScale',
        `timeScale must be a whole number from 1 to ${TIME_SCALE_MAX} (how many times longer every sleep lasts).`,
      )
    }
    const v = shape<{ scenario: string; params?: Record<string, unknown> }>(rest, {
      scenario: 'string',
      params: 'object?',
    })
    return v.ok ? { ok: true, value: { ...v.value, timeScale: timeScale as number } } : v
  },
  stop: (p) => shape(p, { runId: 'string' }),
  setLock: (p) => shape(p, { runId: 'string', on: 'boolean' }),
  resizePool: (p) => shape(p, { runId: 'string', size: { int: [1, COMPARE_LIMITS.size] } }),
  kill: (p) => shape(p, { unitId: 'string' }),
  setSamplingInterval: (p) => shape(p, { ms: { int: [INTERVAL_MIN_MS, INTERVAL_MAX_MS] } }),
  summary: (p) => shape(p, { runId: 'string' }),
  compare: validateCompareRequest,
  cancelCompare: none,
  scenarioSource: (p) => shape(p, { scenario: 'string' }),
  runHistory: (p) => shape(p, { runId: 'string' }),
  listProcesses: none,
  attach: (p) =>
    shape(p, { pid: { int: [1, PID_MAX] }, startTime: { int: [0, Number.MAX_SAFE_INTEGER], optional: true } }),
  detach: (p) => shape(p, { unitId: 'string' }),
  getSettings: none,
  setSettings: validateSettingsPatch,
  resetSettings: none,
  about: none,
  quit: none,
  listSessions: none,
  deleteSession: (p) => shape(p, { name: 'string' }),
  openSession: (p) => shape(p, { name: 'string' }),
  sessionFrame: (p) => {
    const { t, historyMs, ...rest } = isObj(p) ? p : {}
    const v = shape<{ name: string }>(rest, { name: 'string' })
    if (!v.ok) return v
    if (typeof t !== 'number' || !Number.isFinite(t))
      return fail('t', `t must be a number of milliseconds (got ${echo(t)}).`)
    if (typeof historyMs !== 'number' || !(historyMs >= 0 && historyMs <= 3_600_000))
      return fail('historyMs', `historyMs must be from 0 to 3600000 (got ${echo(historyMs)}).`)
    return { ok: true, value: { name: v.value.name, t, historyMs } }
  },
  sessionTotals: (p) => shape(p, { name: 'string' }),
  uploadSession: (p) => {
    const { data, ...rest } = isObj(p) ? p : {}
    const v = shape<{ upload: string; fileName: string; part: number; last: boolean }>(rest, {
      upload: 'string',
      fileName: 'string',
      part: { int: [0, 1_000_000] },
      last: 'boolean',
    })
    if (!v.ok) return v
    if (typeof data !== 'string' || data.length > UPLOAD_PART_CHARS || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) {
      return fail('data', `data must be base64, at most ${UPLOAD_PART_CHARS} characters per part.`)
    }
    return { ok: true, value: { ...v.value, data } }
  },
  openRecording: none,
  recordingStatus: none,
  setRecording: (p) => shape(p, { on: 'boolean' }),
}

/** Linux's largest PID (2^22); other systems stay below it. */
export const PID_MAX = 4_194_304

/** Base64 characters per upload part: 32 KiB of file, inside the socket's 64 KiB frame. */
export const UPLOAD_PART_CHARS = 43_692

export function isCommand(name: unknown): name is CommandName {
  return typeof name === 'string' && (COMMANDS as readonly string[]).includes(name)
}
