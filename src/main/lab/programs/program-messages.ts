// The side channel of a watched program: JSON lines it writes about its tasks, states and result, read into lab events.
import type { LabEvent, MarkKind, TaskPhase, UnitState } from '../../../shared/model'
import { MARK_KINDS } from '../../../shared/model'

interface Origin {
  /** Epoch ms the program stamped the message with (time.time() * 1000), or null. */
  at: number | null
  pid: number | null
  /** OS thread id (threading.get_native_id() in Python). */
  tid: number | null
}

export type ProgramMessage = Origin &
  (
    | {
        type: 'task'
        pool: string
        task: number
        name: string
        phase: TaskPhase
        ok?: boolean
        error?: string
        cpuMs?: number
        call?: string
        value?: string
      }
    | { type: 'state'; state: Extract<UnitState, 'running' | 'waiting' | 'holding'> }
    | { type: 'mark'; text: string; kind?: MarkKind; line?: number }
    | { type: 'log'; text: string; line?: number }
    | { type: 'result'; value: unknown }
    /** A thread's role: `helper` (not the lesson's own: folded away) or `own`, with the name to show. */
    | { type: 'thread'; thread: number; role: 'helper' | 'own'; name: string }
  )

const PHASES: readonly string[] = ['submitted', 'started', 'finished']
const STATES: readonly string[] = ['running', 'waiting', 'holding']

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)

/** Checks one parsed line; anything malformed is dropped rather than trusted. */
export function parseProgramMessage(raw: Record<string, unknown>): ProgramMessage | null {
  const origin: Origin = { at: num(raw.at), pid: num(raw.pid), tid: num(raw.tid) }
  switch (raw.type) {
    case 'task': {
      const pool = str(raw.pool)
      const task = num(raw.task)
      const name = str(raw.name)
      const phase = str(raw.phase)
      if (pool === null || task === null || name === null || phase === null || !PHASES.includes(phase)) return null
      const msg: ProgramMessage = { ...origin, type: 'task', pool, task, name, phase: phase as TaskPhase }
      if (typeof raw.ok === 'boolean') msg.ok = raw.ok
      if (str(raw.error) !== null) msg.error = raw.error as string
      if (num(raw.cpuMs) !== null) msg.cpuMs = raw.cpuMs as number
      if (str(raw.call) !== null) msg.call = (raw.call as string).slice(0, 80)
      if (str(raw.value) !== null) msg.value = (raw.value as string).slice(0, 80)
      return msg
    }
    case 'state': {
      const state = str(raw.state)
      return state !== null && STATES.includes(state)
        ? { ...origin, type: 'state', state: state as 'running' | 'waiting' | 'holding' }
        : null
    }
    case 'mark':
    case 'log': {
      const text = str(raw.text)
      if (text === null) return null
      const msg: Extract<ProgramMessage, { type: 'mark' | 'log' }> = { ...origin, type: raw.type, text }
      const line = num(raw.line)
      if (line !== null && line > 0) msg.line = Math.floor(line)
      if (msg.type === 'mark' && typeof raw.kind === 'string' && (MARK_KINDS as readonly string[]).includes(raw.kind))
        msg.kind = raw.kind as MarkKind
      return msg
    }
    case 'thread': {
      const thread = num(raw.tid)
      const name = str(raw.name)
      const role = raw.role === 'helper' || raw.role === 'own' ? raw.role : null
      return thread === null || name === null || role === null
        ? null
        : { ...origin, type: 'thread', thread, role, name: name.slice(0, 60) }
    }
    case 'result':
      return { ...origin, type: 'result', value: raw.value ?? null }
    default:
      return null
  }
}

/** Task and mark messages as the same events Node units produce; `worker` is the unit the message came from. */
export function toLabEvent(
  msg: Extract<ProgramMessage, { type: 'task' | 'mark' }>,
  t: number,
  runId: string | null,
  worker: string,
): LabEvent {
  if (msg.type === 'mark') {
    if (!msg.kind) return { type: 'mark', t, runId, text: msg.text }
    const mark: LabEvent = { type: 'mark', t, runId, text: msg.text, kind: msg.kind, unit: worker }
    if (msg.line !== undefined) mark.line = msg.line
    return mark
  }
  const event: LabEvent = {
    type: 'task',
    t,
    runId,
    pool: msg.pool,
    task: msg.task,
    name: msg.name,
    phase: msg.phase,
    worker: msg.phase === 'submitted' ? null : worker,
  }
  if (msg.ok !== undefined) event.ok = msg.ok
  if (msg.error !== undefined) event.error = msg.error
  if (msg.cpuMs !== undefined) event.cpuMs = msg.cpuMs
  if (msg.call !== undefined) event.call = msg.call
  if (msg.value !== undefined) event.value = msg.value
  return event
}
