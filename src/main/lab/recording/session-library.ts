// The sessions folder as the app sees it: list, delete, open for replay, frames at any instant, totals, uploads.
import { statSync, unlinkSync, writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import { LabError } from '../../../shared/contract'
import type { Tick } from '../../../shared/model'
import { isFinal } from '../../../shared/model'
import type { ReplayFrame, ReplayInfo, SessionInfo, SessionTotals } from '../../../shared/recording/format'
import { FILE_EXTENSION } from '../../../shared/recording/format'
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

  open(name: string): ReplayInfo {
    const r = this.reader(name)
    const tickTimes = this.guard(name, () => [...r.ticks()].map((t) => t.t))
    return {
      session: this.info(inspectSession(this.path(name))),
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
    return this.guard(name, () => sessionTotals(name, r))
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
    const data = Buffer.concat(u.parts)
    const shown = basename(u.fileName) || 'upload'
    try {
      RecordingReader.fromBytes(shown, data)
    } catch (err) {
      throw new LabError('invalid', (err as Error).message, 'data')
    }
    const dir = this.dir()
    ensureDir(dir)
    const path = sessionFileName(dir, `uploaded-${shown.replace(new RegExp(`\\${FILE_EXTENSION}$`), '')}`)
    writeFileSync(path, data, { flag: 'wx' })
    return this.info(inspectSession(path))
  }
}

/** Wall time, CPU time and peak memory of what the session started (the lab itself left out), with CPU % over time. */
export function sessionTotals(name: string, r: RecordingReader): SessionTotals {
  const units = new Map<string, { label: string; kind: string; parent: string | null; runId: string | null }>()
  for (const rec of r.records()) if (rec.k === 'key') for (const u of rec.state.units) units.set(u.id, u)
  const series = new Map<string, [number, number][]>()
  const cpuSeconds = new Map<string, number>()
  let peakCpu = 0
  let peakRss = 0
  let first: number | null = null
  let last = 0
  let what = ''
  for (const rec of r.records()) {
    if (rec.k === 'started') {
      first ??= rec.item.t
      what = what ? `${what}, ${rec.item.what}` : rec.item.what
    }
    if (rec.k !== 'tick') continue
    const tick: Tick = rec.tick
    for (const u of tick.units) units.set(u.id, u)
    let total = 0
    let rss = 0
    const t0 = first ?? tick.t
    for (const s of tick.samples) {
      const u = units.get(s.id)
      if (!u || u.runId === null) continue
      if (s.cpu !== null) (series.get(s.id) ?? series.set(s.id, []).get(s.id)!).push([tick.t - t0, s.cpu])
      if (u.kind === 'thread') continue
      if (s.cpu !== null) total += s.cpu
      if (s.cpuSeconds !== null) cpuSeconds.set(s.id, Math.max(cpuSeconds.get(s.id) ?? 0, s.cpuSeconds))
      rss += s.rss ?? 0
    }
    peakCpu = Math.max(peakCpu, total)
    peakRss = Math.max(peakRss, rss)
    const anyLive = tick.samples.some((s) => units.get(s.id)?.runId != null)
    if (anyLive || tick.units.some((u) => u.runId !== null && isFinal(u.state))) last = tick.t
  }
  return {
    name,
    what,
    wallMs: Math.max(0, last - (first ?? r.firstT)),
    cpuSeconds: [...cpuSeconds.values()].reduce((a, b) => a + b, 0),
    peakCpu,
    peakRss,
    series: [...series].map(([id, points]) => {
      const u = units.get(id)!
      return { id, label: u.label, kind: u.kind, points }
    }),
  }
}
