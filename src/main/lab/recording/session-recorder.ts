// Records what the lab does into the sessions folder: a session opens when a run, watch or comparison starts and
// closes a tick after the last one ends (or, with a named file, when the lab closes).
import os from 'node:os'
import type { RunInfo, RunSummary, Tick, Unit } from '../../../shared/model'
import { FORMAT_VERSION, MAGIC, type StartedItem } from '../../../shared/recording/format'
import { machineInfo } from './machine-info'
import {
  capBytes,
  enforceCap,
  ensureDir,
  RECORD_ENV,
  recordingEnabledByEnv,
  sessionFileName,
  sessionsDir,
} from './sessions-dir'
import { KEYFRAME_EVERY_MS, RecordingWriter } from './writer'

export interface RecordingOptions {
  /** Off = nothing is written, and nothing turns it on (the CLI's --no-record). Default: the setting, unless PARALLEL_LAB_RECORD=0. */
  enabled?: boolean
  /** The stored "record" setting (default on); the environment and `enabled` win over it. */
  setting?: boolean
  /** Folder for automatic recordings (default: the sessions folder). */
  dir?: string
  /** Record everything this lab does into this one file (the CLI's --record FILE). */
  file?: string
  /** Who records, kept in the header ("cli", "app", "browser"). */
  source?: string
  capBytes?: number
}

export interface RecorderHost {
  now(): number
  intervalMs(): number
  collector(): string
  units(): Unit[]
  runs(): RunInfo[]
  summarize(runId: string): RunSummary | null
  /** Told once when writing fails; the lab goes on without recording. */
  onError(message: string): void
}

export class SessionRecorder {
  private writer: RecordingWriter | null = null
  private readonly active = new Set<string>()
  private closeAfterTick = false
  private closing: Promise<unknown> = Promise.resolve()
  private enabledNow: boolean
  /** What keeps recording off whatever the setting says, in words (null: the setting decides). */
  readonly forcedOff: string | null
  /** Files this recorder finished, oldest first. */
  readonly written: string[] = []

  constructor(
    private readonly host: RecorderHost,
    private readonly opts: RecordingOptions = {},
  ) {
    this.forcedOff =
      opts.enabled === false
        ? 'this lab was started with recording off (--no-record)'
        : opts.enabled === undefined && opts.file === undefined && !recordingEnabledByEnv()
          ? `${RECORD_ENV}=${process.env[RECORD_ENV]} is set`
          : null
    this.enabledNow = opts.enabled ?? (opts.file !== undefined || (this.forcedOff === null && (opts.setting ?? true)))
  }

  get enabled(): boolean {
    return this.enabledNow
  }

  /** Turning it off closes the session being written (what is on disk stays a whole recording); forced off stays off. */
  setEnabled(on: boolean): void {
    this.enabledNow = on && this.forcedOff === null
    if (!this.enabledNow) void this.finish()
  }

  get currentFile(): string | null {
    return this.writer?.file ?? null
  }

  get dir(): string {
    return this.opts.dir ?? sessionsDir()
  }

  /** A run, watch or comparison began: opens a session if none is being written. */
  started(item: StartedItem, key: string): void {
    if (!this.enabledNow) return
    this.active.add(key)
    this.closeAfterTick = false
    if (!this.writer) this.open(item.what)
    this.writer?.addStarted(item)
  }

  /** A comparison ended (runs are seen ending in their ticks). */
  ended(key: string, result?: unknown): void {
    if (!this.writer) return
    if (result !== undefined) this.writer.addResult({ kind: 'compare', t: this.host.now(), value: result })
    this.active.delete(key)
    if (this.active.size === 0 && this.opts.file === undefined) this.closeAfterTick = true
  }

  onTick(tick: Tick): void {
    const w = this.writer
    if (!w) return
    const wasClosing = this.closeAfterTick
    w.addTick(tick)
    for (const ev of tick.events) {
      if (ev.type !== 'run' || ev.run.status === 'running' || !this.active.has(ev.run.id)) continue
      const summary = this.host.summarize(ev.run.id)
      if (summary) w.addSummary(summary, tick.t)
      this.ended(ev.run.id)
    }
    // One more tick after the last end, so units seen ending are in the recording.
    if (wasClosing && this.closeAfterTick) void this.finish()
  }

  private open(what: string): void {
    const dir = this.dir
    try {
      let file = this.opts.file
      if (file === undefined) {
        ensureDir(dir)
        file = sessionFileName(dir, what)
      }
      const t = this.host.now()
      this.writer = new RecordingWriter(
        file,
        {
          magic: MAGIC,
          version: FORMAT_VERSION,
          startedAt: new Date().toISOString(),
          labT0: t,
          source: this.opts.source ?? 'lab',
          intervalMs: this.host.intervalMs(),
          keyframeEveryMs: KEYFRAME_EVERY_MS,
          machine: machineInfo(),
          collector: this.host.collector(),
          labPid: process.pid,
          platform: `${process.platform} ${os.release()}`,
        },
        { units: this.host.units(), runs: this.host.runs() },
        { onError: (err) => this.host.onError(`Recording to ${file} stopped: ${err.message}`) },
      )
    } catch (err) {
      this.writer = null
      this.host.onError(`Recording could not start in ${dir}: ${(err as Error).message}`)
    }
  }

  /** Closes the session being written and trims the folder to its cap. */
  async finish(): Promise<void> {
    const w = this.writer
    this.writer = null
    this.active.clear()
    this.closeAfterTick = false
    if (!w) return this.closing.then(() => undefined)
    this.closing = this.closing.then(async () => {
      await w.close()
      this.written.push(w.file)
      if (this.opts.file === undefined) {
        try {
          enforceCap(this.dir, this.opts.capBytes ?? capBytes())
        } catch (err) {
          this.host.onError(`The sessions folder could not be trimmed: ${(err as Error).message}`)
        }
      }
    })
    await this.closing
  }
}
