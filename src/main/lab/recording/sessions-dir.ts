// The sessions folder: where recordings go by default, their listing for the Sessions view and CLI, the size cap.
import { existsSync, mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs'
import { homedir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { FILE_EXTENSION, type SessionInfo, type StartedItem } from '../../../shared/recording/format'
import { RecordingError, RecordingReader } from './reader'

export const SESSIONS_DIR_ENV = 'PARALLEL_LAB_SESSIONS_DIR'
/** "0", "off", "false" or "no" turns automatic recording off. */
export const RECORD_ENV = 'PARALLEL_LAB_RECORD'
export const SESSIONS_CAP_ENV = 'PARALLEL_LAB_SESSIONS_CAP_MB'
export const DEFAULT_CAP_BYTES = 1024 ** 3

/** The user's data folder as each platform names it, unless the environment points elsewhere. */
export function sessionsDir(): string {
  const env = process.env[SESSIONS_DIR_ENV]
  if (env) return resolve(env)
  if (process.platform === 'win32')
    return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Parallel Lab', 'sessions')
  if (process.platform === 'darwin')
    return join(homedir(), 'Library', 'Application Support', 'Parallel Lab', 'sessions')
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'parallel-lab', 'sessions')
}

export function recordingEnabledByEnv(): boolean {
  const v = process.env[RECORD_ENV]?.trim().toLowerCase()
  return !(v === '0' || v === 'off' || v === 'false' || v === 'no')
}

export function capBytes(): number {
  const mb = Number(process.env[SESSIONS_CAP_ENV])
  return Number.isFinite(mb) && mb > 0 ? mb * 1024 * 1024 : DEFAULT_CAP_BYTES
}

/** A file name that says when and what: 2026-12-02_06-07-40_counters.plrec (unique in the folder). */
export function sessionFileName(dir: string, what: string, when = new Date()): string {
  const stamp = when.toISOString().slice(0, 19).replace('T', '_').replace(/:/g, '-')
  const slug =
    what
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'session'
  let name = `${stamp}_${slug}${FILE_EXTENSION}`
  for (let n = 2; existsSync(join(dir, name)); n++) name = `${stamp}_${slug}-${n}${FILE_EXTENSION}`
  return join(dir, name)
}

/** A recording in the folder: what the Sessions view lists, with its path. */
export type SessionListing = Omit<SessionInfo, 'live'> & { path: string }

export function describeStarted(items: readonly StartedItem[]): string {
  return items.map((s) => (s.kind === 'run' ? s.what : `${s.kind} ${s.what}`)).join(', ') || '(nothing started)'
}

/** Reads one recording's summary: the end frame when it was closed, otherwise its chunks. */
export function inspectSession(path: string, opened?: RecordingReader): SessionListing {
  const bytes = statSync(path).size
  const name = basename(path)
  try {
    const r = opened ?? RecordingReader.open(path)
    const started = r.startedItems()
    return {
      name,
      path,
      bytes,
      startedAt: r.header.startedAt,
      durationMs: r.end?.durationMs ?? r.durationMs,
      peakCpu: r.end?.peakCpu ?? Math.max(0, ...r.chunks.map((c) => c.peakCpu)),
      what: describeStarted(started),
      started,
      complete: r.complete,
      problem: r.problem,
    }
  } catch (err) {
    const problem = err instanceof RecordingError ? err.message : `${name} cannot be read: ${(err as Error).message}`
    return {
      name,
      path,
      bytes,
      startedAt: statSync(path).mtime.toISOString(),
      durationMs: 0,
      peakCpu: 0,
      what: '',
      started: [],
      complete: false,
      problem,
    }
  }
}

/** Recordings in the folder, newest first. */
export function listSessions(dir = sessionsDir()): SessionListing[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith(FILE_EXTENSION))
    .map((f) => inspectSession(join(dir, f)))
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
}

/** Removes the oldest recordings until the folder fits the cap; the one being written is never removed. */
export function enforceCap(dir: string, cap: number, keep: string | null = null): string[] {
  if (!existsSync(dir)) return []
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(FILE_EXTENSION))
    .map((f) => {
      const path = join(dir, f)
      const st = statSync(path)
      return { path, bytes: st.size, mtime: st.mtimeMs }
    })
    .sort((a, b) => a.mtime - b.mtime)
  let total = files.reduce((a, f) => a + f.bytes, 0)
  const removed: string[] = []
  for (const f of files) {
    if (total <= cap) break
    if (keep !== null && resolve(f.path) === resolve(keep)) continue
    unlinkSync(f.path)
    total -= f.bytes
    removed.push(f.path)
  }
  return removed
}

/** A name from the list, resolved inside the folder only (no path may reach outside it). */
export function sessionPath(name: string, dir = sessionsDir()): string {
  if (!name.endsWith(FILE_EXTENSION) || basename(name) !== name || name.startsWith('.')) {
    throw new RecordingError(
      `"${name}" is not the name of a recording in the sessions folder (names end in ${FILE_EXTENSION} and hold no folder).`,
    )
  }
  return join(dir, name)
}

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true })
}
