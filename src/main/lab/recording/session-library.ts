// The sessions folder as the app sees it: list, delete, open for replay, frames at any instant, totals, uploads.
import { readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'
import { LabError } from '../../../shared/contract'
import type { ReplayFrame, ReplayInfo, SessionInfo, SessionTotals } from '../../../shared/recording/format'
import { FILE_EXTENSION } from '../../../shared/recording/format'
import { totalsOf } from '../../../shared/recording/totals'
import { RecordingError, RecordingReader } from './reader'
import {
  ensureDir,
  inspectSession,
  listSessions,
  sessionFileName,
  sessionPath,
  type SessionListing,
} from './sessions-dir'

/** Readers kept open (each holds its file's bytes). */
const OPEN_READERS = 4
/** An upload larger than this is refused. */
export const UPLOAD_MAX_BYTES = 512 * 1024 * 1024

export class SessionLibrary {
  private readonly readers = new Map<string, { reader: RecordingReader; mtime: number; size: number }>()
  private readonly uploads = new Map<string, { fileName: string; parts: Buffer[]; bytes: number; next: number }>()

  constructor(
    private readonly dir: () => string,
    /** The file being written now: listed as live, never deleted. */
    private readonly current: () => string | null,
  ) {}

  private info(l: SessionListing): SessionInfo {
    const { path, ...rest } = l
    return { ...rest, live: path === this.current() }
  }

  list(): SessionInfo[] {
    return listSessions(this.dir()).map((l) => this.info(l))
  }

  private path(name: string): string {
    try {
      return sessionPath(name, this.dir())
    } catch (err) {
      throw new LabError('invalid', (err as Error).message, 'name')
    }
  }

  delete(name: string): void {
    const path = this.path(name)
    if (path === this.current())
      throw new LabError('conflict', `${name} is being recorded now; it can be deleted once it ends.`, 'name')
    try {
      unlinkSync(path)
    } catch {
      throw new LabError('not-found', `There is no recording "${name}" in the sessions folder.`, 'name')
    }
    this.readers.delete(name)
  }

  /** A reader for the file as it is now (reopened when it grew, as the live session's does). */
  reader(name: string): RecordingReader {
    const path = this.path(name)
    let st
    try {
      st = statSync(path)
    } catch {
      throw new LabError('not-found', `There is no recording "${name}" in the sessions folder.`, 'name')
    }
    const cached = this.readers.get(name)
    if (cached && cached.mtime === st.mtimeMs && cached.size === st.size) return cached.reader
    let reader: RecordingReader
    try {
      reader = RecordingReader.open(path)
    } catch (err) {
      throw new LabError('invalid', (err as Error).message, 'name')
    }
    this.readers.delete(name)
    if (this.readers.size >= OPEN_READERS) this.readers.delete(this.readers.keys().next().value!)
    this.readers.set(name, { reader, mtime: st.mtimeMs, size: st.size })
    return reader
  }

  /** The span and tick times (from the frames' index: nothing is inflated), for the scrubber; frames come on seek. */
  open(name: string): ReplayInfo {
    const r = this.reader(name)
    const tickTimes = this.guard(name, () => r.tickTimes())
    return {
      session: this.info(this.guard(name, () => inspectSession(this.path(name), r))),
      header: r.header,
      startT: tickTimes[0] ?? r.firstT,
      endT: tickTimes[tickTimes.length - 1] ?? r.firstT,
      tickTimes,
    }
  }

  frame(name: string, t: number, historyMs: number): ReplayFrame {
    const r = this.reader(name)
    return this.guard(name, () => {
      const base = r.stateAt(t - historyMs)
      return { base: base.toData(), ticks: r.ticksBetween(base.seq < 0 ? -Infinity : base.t, t) }
    })
  }

  totals(name: string): SessionTotals {
    const r = this.reader(name)
    return this.guard(name, () => totalsOf(name, r.records()))
  }

  private guard<T>(name: string, fn: () => T): T {
    try {
      return fn()
    } catch (err) {
      if (err instanceof RecordingError) throw new LabError('invalid', `${err.message} (${name})`, 'name')
      throw err
    }
  }

  /** Collects the parts of an upload; the last one is checked as a recording before anything is written. */
  upload(req: { upload: string; fileName: string; part: number; data: string; last: boolean }): SessionInfo | null {
    let u = this.uploads.get(req.upload)
    if (req.part === 0) {
      if (this.uploads.size >= 4) this.uploads.delete(this.uploads.keys().next().value!)
      u = { fileName: req.fileName, parts: [], bytes: 0, next: 0 }
      this.uploads.set(req.upload, u)
    }
    if (!u || u.next !== req.part) {
      this.uploads.delete(req.upload)
      throw new LabError(
        'invalid',
        `Upload part ${req.part} came out of order; send the file again from part 0.`,
        'part',
      )
    }
    const bytes = Buffer.from(req.data, 'base64')
    u.parts.push(bytes)
    u.bytes += bytes.length
    u.next++
    if (u.bytes > UPLOAD_MAX_BYTES) {
      this.uploads.delete(req.upload)
      throw new LabError(
        'invalid',
        `${u.fileName} is larger than ${UPLOAD_MAX_BYTES / 1024 / 1024} MiB; it cannot be uploaded.`,
        'data',
      )
    }
    if (!req.last) return null
    this.uploads.delete(req.upload)
    return this.store(u.fileName, Buffer.concat(u.parts), 'uploaded', 'data')
  }

  /**
   * Adds a recording chosen in the Open dialog: checked before anything is written, copied into the folder (a file
   * already in it is listed as it is).
   */
  importFile(path: string): SessionInfo {
    let data: Buffer
    try {
      if (statSync(path).size > UPLOAD_MAX_BYTES)
        throw new Error(`it is larger than ${UPLOAD_MAX_BYTES / 1024 / 1024} MiB`)
      data = readFileSync(path)
    } catch (err) {
      throw new LabError('invalid', `${basename(path)} cannot be opened: ${(err as Error).message}.`, 'file')
    }
    if (resolve(dirname(path)) === resolve(this.dir()) && path.endsWith(FILE_EXTENSION)) {
      this.check(basename(path), data, 'file')
      return this.info(inspectSession(resolve(path)))
    }
    return this.store(path, data, 'opened', 'file')
  }

  private check(shown: string, data: Buffer, field: string): void {
    try {
      RecordingReader.fromBytes(shown, data)
    } catch (err) {
      throw new LabError('invalid', (err as Error).message, field)
    }
  }

  /** Writes a checked recording into the folder under a new name that says where it came from. */
  private store(fileName: string, data: Buffer, how: string, field: string): SessionInfo {
    const shown = basename(fileName) || how
    this.check(shown, data, field)
    const dir = this.dir()
    ensureDir(dir)
    const path = sessionFileName(dir, `${how}-${shown.replace(new RegExp(`\\${FILE_EXTENSION}$`), '')}`)
    writeFileSync(path, data, { flag: 'wx' })
    return this.info(inspectSession(path))
  }
}
