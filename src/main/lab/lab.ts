// The lab: owns runs, units and the tick loop, and implements every LabApi command. Plain Node, no electron.
import type { AboutInfo, LabCommands, ScenarioInfo, ScenarioSource, Unsubscribe } from '../../shared/contract'
import { TIME_SCALE_MAX } from '../../shared/contract'
import { scenarioSource } from './scenario-source'
import { LabError } from '../../shared/contract'
import { echo } from '../../shared/bounds'
import type {
  AttachInfo,
  LabSnapshot,
  ProcessListing,
  RunHistory,
  RunInfo,
  RunSummary,
  Sample,
  Tick,
} from '../../shared/model'
import { blockedOn } from './sampling/linux/blocked-on'
import { StuckDetector, stuckSentence } from './stuck-detector'
import { ATTACHED_NOT_OURS, isFinal } from '../../shared/model'
import { INTERVAL_DEFAULT_MS, validateInterval, validateParams, type ParamValues } from '../../shared/params'
import os from 'node:os'
import { LabClock } from './clock'
import { Run } from './run'
import { ProgramTracker } from './programs/program-tracker'
import { pythonCommand } from './programs/python-command'
import { importProgramFile, loadUserPrograms, userProgramsDir } from './programs/user-programs'
import type { ProgramOptions, ScenarioDefinition } from './scenario-api'
import { createPlatform, type PlatformName } from './sampling/factory'
import { MachineMeter } from './sampling/machine'
import { Attacher } from './programs/attach'
import { SettingsFile } from './settings/settings-file'
import { aboutInfo } from './about'
import { validateSettingsPatch, type Settings, type SettingsState } from '../../shared/settings'
import { Sampler, type SelfReport } from './sampling/sampler'
import { meanTime, Scheduler } from './scheduler'
import { CompareService } from './compare/service'
import type { ModuleWorkload } from './pools/workloads'
import type { CompareProgress, CompareRequest, CompareResult } from '../../shared/compare/types'
import { Outbox, UnitTable } from './unit-table'
import { defaultHostFile, defaultScenarioFile } from './units/host-file'
import { Lifeline } from './lifeline/lifeline'
import { SessionRecorder, type RecordingOptions } from './recording/session-recorder'
import { SessionLibrary } from './recording/session-library'
import type { RecordingStatus } from '../../shared/contract'
import type { ReplayFrame, ReplayInfo, SessionInfo, SessionTotals } from '../../shared/recording/format'
import { UnitSpawner } from './units/spawner'
import { MemoryRelease } from './memory-release'

/** Finished runs a lab remembers (for summaries and late-joining views); older ones are forgotten with their units. */
export const FINISHED_RUNS_KEPT = 50

export interface LabOptions {
  /** The scenarios this lab offers (the entries pass the built-in ones); the user's own programs are added to them. */
  scenarios?: readonly ScenarioDefinition[]
  /** The built module units import to find those scenarios' code; defaults to out/lab/scenarios.mjs. */
  scenarioFile?: string
  intervalMs?: number
  /** The platform to sample with: procfs (Linux) or pidusage (elsewhere); chosen from the OS by default. */
  collector?: PlatformName
  /** The built unit host; defaults to out/lab/worker-host.mjs. */
  hostFile?: string
  /** Start the tick loop at once (default true). */
  autoStart?: boolean
  /** Shows an Open dialog and returns the chosen file, or null if cancelled. Only the desktop app has one. */
  pickProgramFile?: () => Promise<string | null>
  /** Shows an Open dialog for a recording (.plrec) and returns the chosen file, or null if cancelled. Desktop only. */
  pickRecordingFile?: () => Promise<string | null>
  /** Where the survivor records go (default: PARALLEL_LAB_STATE_DIR, else ~/.parallel-lab/state). */
  stateDir?: string
  /** The built supervisor; defaults to out/lab/supervisor.mjs. */
  supervisorFile?: string
  /**
   * Session recording: into the sessions folder when the "record" setting is on (the default); PARALLEL_LAB_RECORD=0 or
   * enabled: false keep it off whatever the setting says.
   */
  recording?: RecordingOptions
  /**
   * Folder of the settings file (the app's entries pass configDir()); absent: settings live in memory only. The saved
   * interval is the lab's starting interval unless `intervalMs` is given.
   */
  configDir?: string
  /** Ends the app (the entry's own shutdown: it closes the lab). Absent: the app cannot be quit from the window. */
  quit?: () => void
}

/** A run's journal keeps taking ticks this long after the run ended (its units' last states and lines). */
const JOURNAL_AFTER_END_MS = 5000

export class Lab implements LabCommands {
  private readonly clock = new LabClock()
  private readonly outbox = new Outbox()
  private readonly units = new UnitTable(this.outbox)
  private readonly mainUnitId: string
  private readonly selfReports = new Map<string, SelfReport>()
  private readonly runs = new Map<string, Run>()
  private readonly memory = new MemoryRelease()
  private readonly listeners = new Set<(tick: Tick) => void>()
  /** Says "possible deadlock" when every thread of a run has waited on a lock for seconds (futexes read on Linux). */
  private readonly stuck = new StuckDetector(process.platform === 'linux' ? blockedOn : null)
  private readonly latestSamples = new Map<string, Sample>()
  private readonly spawner: UnitSpawner
  /** External programs and their process trees. */
  private readonly programs: ProgramTracker
  private readonly scheduler: Scheduler
  private readonly sampler: Sampler
  private nextRun = 1
  private nextCompare = 1
  /** Writes every run, watch and comparison into the sessions folder. */
  readonly recorder: SessionRecorder
  /** Reads them back for the Sessions view and replays. */
  private readonly library: SessionLibrary

  private readonly pickProgramFile: (() => Promise<string | null>) | undefined
  private readonly pickRecordingFile: (() => Promise<string | null>) | undefined
  private readonly scenarios: readonly ScenarioDefinition[]
  /** Ties every process the lab starts to its life (supervisor, owner tag, survivor records). */
  readonly lifeline: Lifeline
  private readonly settingsFile: SettingsFile
  private readonly attaching: Attacher
  private readonly quitApp: (() => void) | undefined
  private readonly appCommandListeners = new Set<(cmd: { id: string }) => void>()

  constructor(opts: LabOptions = {}) {
    this.pickProgramFile = opts.pickProgramFile
    this.pickRecordingFile = opts.pickRecordingFile
    this.scenarios = opts.scenarios ?? []
    this.settingsFile = new SettingsFile(opts.configDir ?? null)
    this.quitApp = opts.quit
    const interval = validateInterval(opts.intervalMs ?? this.settingsFile.settings.intervalMs ?? INTERVAL_DEFAULT_MS)
    if (!interval.ok) throw LabError.invalid(interval.errors)
    this.mainUnitId = this.units.nextId()
    this.units.add({
      id: this.mainUnitId,
      kind: 'main',
      pid: process.pid,
      tid: null,
      parent: null,
      label: 'lab (main)',
      runId: null,
      createdAt: 0,
      endedAt: null,
      spawned: false,
      state: 'running',
      exitCode: null,
      signal: null,
      error: null,
      command: process.title,
    })
    this.lifeline = new Lifeline({ stateDir: opts.stateDir, supervisorFile: opts.supervisorFile })
    this.reportSurvivors()
    this.spawner = new UnitSpawner({
      lifeline: this.lifeline,
      clock: this.clock,
      units: this.units,
      outbox: this.outbox,
      hostFile: opts.hostFile ?? defaultHostFile(),
      scenarioFile: opts.scenarioFile ?? defaultScenarioFile(),
      selfReports: this.selfReports,
      mainUnitId: this.mainUnitId,
    })
    const platform = createPlatform(opts.collector)
    this.sampler = new Sampler(platform.createCollector())
    this.programs = new ProgramTracker(
      { clock: this.clock, units: this.units, outbox: this.outbox, mainUnitId: this.mainUnitId },
      () => platform.createTreeScanner(),
      this.lifeline,
    )
    this.attaching = new Attacher({
      units: this.units,
      programs: this.programs,
      platform,
      startRun: (def) => this.startRun(def, {}),
    })
    this.scheduler = new Scheduler(
      {
        clock: this.clock,
        units: this.units,
        outbox: this.outbox,
        sampler: this.sampler,
        machine: new MachineMeter(platform.coreTimes),
        selfReports: this.selfReports,
        discovery: this.programs,
        emit: (tick) => {
          this.journal(tick)
          this.recorder.onTick(tick)
          this.listeners.forEach((fn) => fn(tick))
        },
      },
      interval.value,
    )
    this.recorder = new SessionRecorder(
      {
        now: () => this.clock.now(),
        intervalMs: () => this.scheduler.interval,
        collector: () => this.sampler.collector.name,
        units: () => this.units.all().map((u) => ({ ...u })),
        runs: () => [...this.runs.values()].map((r) => ({ ...r.info })),
        summarize: (runId) => (this.runs.has(runId) ? this.runSummary(runId) : null),
        onError: (message) =>
          this.outbox.events.push({ type: 'mark', t: this.clock.now(), runId: null, text: message }),
      },
      { setting: this.settingsFile.settings.record, ...opts.recording },
    )
    this.library = new SessionLibrary(
      () => this.recorder.dir,
      () => this.recorder.currentFile,
    )
    if (opts.autoStart ?? true) this.scheduler.start()
  }

  /** Says once, in the first tick's log, what the start-up check ended. */
  private reportSurvivors(): void {
    const { labs, ended } = this.lifeline.survivors
    if (ended.length === 0) return
    const list = ended.map((e) => `${e.name} (pid ${e.pid})`).join(', ')
    const who = labs.map((l) => `pid ${l.pid}`).join(', ')
    this.outbox.logs.push({
      t: 0,
      unit: null,
      runId: null,
      text: `Ended ${ended.length} process${ended.length === 1 ? '' : 'es'} left running by a lab that did not shut down (${who}): ${list}.`,
      stream: 'err',
    })
  }

  private comparesService: CompareService | null = null

  /** Comparisons of pool strategies; their workers are units of this lab (no run), seen in the task manager. */
  private get compares(): CompareService {
    return (this.comparesService ??= new CompareService({
      deps: { clock: this.clock, outbox: this.outbox, spawner: this.spawner },
      runId: null,
    }))
  }

  onCompareProgress(listener: (p: CompareProgress) => void): Unsubscribe {
    return this.compares.onProgress(listener)
  }

  /** `module`: compare a user's own function (in-process callers such as the CLI; never from a client). */
  async compare(req: CompareRequest, module?: ModuleWorkload): Promise<CompareResult> {
    const key = `compare ${this.nextCompare++}`
    this.recorder.started(
      { kind: 'compare', what: req.workload, runId: null, params: { ...req }, t: this.clock.now() },
      key,
    )
    let result: CompareResult | undefined
    try {
      result = await this.compares.run(req, module)
      return result
    } finally {
      this.recorder.ended(key, result ?? null)
      this.memory.workEnded()
    }
  }

  async cancelCompare(): Promise<void> {
    this.compares.cancel()
  }

  async listSessions(): Promise<SessionInfo[]> {
    return this.library.list()
  }

  async deleteSession(req: { name: string }): Promise<void> {
    this.library.delete(req.name)
  }

  async openSession(req: { name: string }): Promise<ReplayInfo> {
    return this.library.open(req.name)
  }

  async sessionFrame(req: { name: string; t: number; historyMs: number }): Promise<ReplayFrame> {
    return this.library.frame(req.name, req.t, req.historyMs)
  }

  async sessionTotals(req: { name: string }): Promise<SessionTotals> {
    return this.library.totals(req.name)
  }

  async uploadSession(req: {
    upload: string
    fileName: string
    part: number
    data: string
    last: boolean
  }): Promise<SessionInfo | null> {
    return this.library.upload(req)
  }

  async openRecording(): Promise<SessionInfo | null> {
    if (!this.pickRecordingFile)
      throw new LabError(
        'conflict',
        'The Open dialog is part of the desktop app. Here, use "Open a file…" in the Sessions view, or drop the .plrec file onto the window.',
      )
    const file = await this.pickRecordingFile()
    return file === null ? null : this.library.importFile(file)
  }

  async recordingStatus(): Promise<RecordingStatus> {
    return {
      enabled: this.recorder.enabled,
      forcedOff: this.recorder.forcedOff,
      dir: this.recorder.dir,
      current: this.recorder.currentFile,
    }
  }

  async setRecording(req: { on: boolean }): Promise<RecordingStatus> {
    await this.setSettings({ record: req.on })
    return this.recordingStatus()
  }

  onTick(listener: (tick: Tick) => void): Unsubscribe {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Samples and emits a tick now (the CLI flushes the last logs this way). */
  flush(): Promise<Tick> {
    return this.scheduler.tick({ flush: true })
  }

  async listScenarios(): Promise<ScenarioInfo[]> {
    return this.catalog().map((s) => ({
      id: s.id,
      title: s.title,
      section: s.section,
      summary: s.summary,
      runtime: s.runtime ?? 'node',
      params: s.params,
      ...(s.availability?.() ?? { available: true, reason: null }),
    }))
  }

  async openProgram(): Promise<ScenarioInfo | null> {
    if (!this.pickProgramFile) {
      throw new LabError(
        'conflict',
        `Opening a file needs the desktop app. Here, put a program file in ${userProgramsDir()} (see the README): it appears under "My programs".`,
      )
    }
    const file = await this.pickProgramFile()
    if (file === null) return null
    let id: string
    try {
      id = importProgramFile(file, pythonCommand(), this.scenarioIds())
    } catch (err) {
      throw new LabError('invalid', (err as Error).message, 'file')
    }
    return (await this.listScenarios()).find((s) => s.id === id) ?? null
  }

  async snapshot(): Promise<LabSnapshot> {
    return {
      t: this.clock.now(),
      pid: process.pid,
      units: this.units.all().map((u) => ({ ...u })),
      // A finished run's result (a pool's every input and output, say) comes with its history, not here: the snapshot
      // goes to every client that connects and stays small however big the last 50 runs' results were.
      runs: [...this.runs.values()].map((r) => ({
        ...r.info,
        ...(r.info.status === 'running' ? {} : { result: null }),
      })),
      intervalMs: this.scheduler.interval,
      cores: os.cpus().length,
      platform: process.platform,
      collector: this.sampler.collector.name,
      programsDir: userProgramsDir(),
      notes:
        this.sampler.collector.name === 'procfs'
          ? []
          : [`Threads of external programs are not shown on ${process.platform}: only their processes are followed.`],
    }
  }

  private scenarioIds(): Set<string> {
    return new Set(this.scenarios.map((s) => s.id))
  }

  /** The scenarios handed in, then the user's own programs (read afresh each time). */
  private catalog(): ScenarioDefinition[] {
    return [...this.scenarios, ...loadUserPrograms(this.scenarioIds())]
  }

  /** Each run still producing (or just ended) keeps its part of the tick, for windows that connect later. */
  private journal(tick: Tick): void {
    let fresh = false
    for (const run of this.runs.values()) {
      if (run.info.endedAt === null || tick.t - run.info.endedAt < JOURNAL_AFTER_END_MS) run.journal.record(tick)
      if (run.info.status !== 'running') {
        this.stuck.forget(run.info.id)
        continue
      }
      // Each unit's latest sample, kept in one map updated in place (no map of every unit built per tick).
      if (!fresh) {
        fresh = true
        for (let i = 0; i < tick.samples.length; i++) this.latestSamples.set(tick.samples[i].id, tick.samples[i])
        if (this.latestSamples.size > tick.samples.length * 2 + 64) {
          const live = new Set(tick.samples.map((s) => s.id))
          for (const id of [...this.latestSamples.keys()]) if (!live.has(id)) this.latestSamples.delete(id)
        }
      }
      const units = this.units.ofRun(run.info.id)
      const report = this.stuck.check(run.info.id, units, this.latestSamples, tick.t)
      const label = (id: string): string => this.units.get(id)?.label.replace(/^[^/]+\/\s*/, '') ?? id
      run.warn(report ? stuckSentence(report, tick.t, label) : null, report?.units ?? [])
    }
  }

  async runHistory(req: { runId: string }): Promise<RunHistory> {
    const run = this.run(req.runId)
    return { run: { ...run.info }, ...run.journal.history() }
  }

  async scenarioSource(req: { scenario: string }): Promise<ScenarioSource> {
    const def = this.catalog().find((s) => s.id === req.scenario)
    if (!def) throw new LabError('not-found', `There is no scenario "${req.scenario}".`, 'scenario')
    return scenarioSource(def)
  }

  async start(req: { scenario: string; params?: Record<string, unknown>; timeScale?: number }): Promise<RunInfo> {
    const catalog = this.catalog()
    const def = catalog.find((s) => s.id === req.scenario)
    if (!def) {
      const known = catalog.map((s) => s.id).join(', ')
      throw new LabError(
        'not-found',
        `There is no scenario ${echo(req.scenario)}. Known scenarios: ${known}.`,
        'scenario',
      )
    }
    const availability = def.availability?.()
    if (availability && !availability.available)
      throw new LabError('conflict', availability.reason ?? `${def.title} cannot run here.`, 'scenario')
    const params = validateParams(def.params, req.params)
    if (!params.ok) throw LabError.invalid(params.errors)
    const scale = req.timeScale ?? 1
    if (!Number.isInteger(scale) || scale < 1 || scale > TIME_SCALE_MAX) {
      throw new LabError(
        'invalid',
        `timeScale must be a whole number from 1 to ${TIME_SCALE_MAX} (got ${echo(scale)}).`,
        'timeScale',
      )
    }
    return this.startRun(def, params.value, undefined, scale)
  }

  /**
   * Runs any command as a program and follows its tree (the CLI's `watch`). Not part of LabApi: the renderer names a
   * scenario id, never a command line.
   */
  async watch(req: ProgramOptions): Promise<RunInfo> {
    const def: ScenarioDefinition = {
      id: 'watch',
      title: `watch ${req.command}`,
      section: 'Programs',
      summary: [req.command, ...(req.args ?? [])].join(' '),
      params: [],
      runtime: 'program',
      async run(ctx) {
        const outcome = await ctx.program(req)
        return { exitCode: outcome.exitCode, signal: outcome.signal, result: outcome.result ?? null }
      },
    }
    return this.startRun(
      def,
      {},
      { kind: 'watch', what: def.summary, params: { command: req.command, args: req.args ?? [] } },
    )
  }

  private startRun(
    def: ScenarioDefinition,
    params: ParamValues,
    started?: { kind: 'watch'; what: string; params: Record<string, unknown> },
    timeScale = 1,
  ): RunInfo {
    const id = `r${this.nextRun++}`
    this.recorder.started(
      {
        kind: started?.kind ?? 'run',
        what: started?.what ?? def.id,
        runId: id,
        params: started?.params ?? { ...params },
        t: this.clock.now(),
      },
      id,
    )
    const run = new Run(
      { clock: this.clock, outbox: this.outbox, spawner: this.spawner, programs: this.programs },
      def,
      params,
      id,
      timeScale,
    )
    this.runs.set(id, run)
    void run.finished.then(() => {
      this.pruneRuns()
      this.memory.workEnded()
    })
    return { ...run.info }
  }

  /**
   * Forgets finished runs beyond FINISHED_RUNS_KEPT, oldest first, with their ended units: a long session's memory and
   * snapshot stay bounded. Their units' ends have been sent in a tick before (a unit is kept until then).
   */
  private pruneRuns(): void {
    const finished = [...this.runs.values()].filter((r) => r.info.status !== 'running')
    for (const run of finished.slice(0, Math.max(0, finished.length - FINISHED_RUNS_KEPT))) {
      this.runs.delete(run.info.id)
      for (const id of this.units.forgetRun(run.info.id)) this.scheduler.forget(id)
    }
  }

  /** Resolves when the run has ended, with its final info. */
  async wait(runId: string): Promise<RunInfo> {
    return { ...(await this.run(runId).finished) }
  }

  async stop(req: { runId: string }): Promise<RunInfo> {
    return { ...(await this.run(req.runId).stop()) }
  }

  async setLock(req: { runId: string; on: boolean }): Promise<RunInfo> {
    const run = this.liveRun(req.runId)
    if (run.info.lock === null) throw new LabError('conflict', `Scenario ${run.def.id} has no lock to switch.`, 'runId')
    run.setLock(req.on)
    return { ...run.info }
  }

  async resizePool(req: { runId: string; size: number }): Promise<RunInfo> {
    const run = this.liveRun(req.runId)
    try {
      run.resizePool(req.size)
    } catch (err) {
      // The pool's own refusals (a size it cannot take) are conflicts on the size too.
      throw err instanceof LabError ? err : new LabError('conflict', (err as Error).message, 'size')
    }
    return { ...run.info }
  }

  async kill(req: { unitId: string }): Promise<void> {
    const unit = this.units.get(req.unitId)
    if (!unit) throw new LabError('not-found', `There is no unit ${echo(req.unitId)}.`, 'unitId')
    // First and unconditional: an attached process is only watched, whatever else is true of its unit.
    if (unit.attached)
      throw new LabError(
        'conflict',
        `${ATTACHED_NOT_OURS} ${unit.label} can only be detached (the watching ends, the process goes on).`,
        'unitId',
      )
    if (!unit.spawned)
      throw new LabError(
        'conflict',
        `${unit.label} was not started by the lab, so it cannot be ended from here.`,
        'unitId',
      )
    if (isFinal(unit.state)) throw new LabError('conflict', `${unit.label} has already ${unit.state}.`, 'unitId')
    if (this.programs.kill(unit.id)) return
    this.spawner.kill(unit.id)
  }

  /** Every process on the machine, for the attach picker (CPU % since the previous listing). */
  listProcesses(): Promise<ProcessListing> {
    return this.attaching.listProcesses()
  }

  /**
   * Starts watching a running process the lab did not start: its descendants and threads, as for a watched program,
   * never signalled. `startTime` (from the picker's listing) proves the PID still names the process that was picked.
   */
  async attach(req: { pid: number; startTime?: number }): Promise<AttachInfo> {
    const { run, rootIds } = this.attaching.attach([this.attaching.check(req.pid, req.startTime)])
    return { run, unitId: rootIds[0] }
  }

  /**
   * Attaches to several processes in one run (the CLI's `watch --pid N --pid M`): it ends when every one of them has
   * exited, or when it is stopped, which only detaches. Each PID is checked first; the first that cannot be is the error.
   */
  async attachPids(pids: readonly number[]): Promise<RunInfo> {
    return this.attaching.attach(pids.map((pid) => this.attaching.check(pid))).run
  }

  /** Ends the watching of an attached process (any unit of its tree names it); the process itself goes on. */
  async detach(req: { unitId: string }): Promise<RunInfo> {
    const unit = this.units.get(req.unitId)
    if (!unit) throw new LabError('not-found', `There is no unit ${echo(req.unitId)}.`, 'unitId')
    if (!unit.attached || unit.runId === null)
      throw new LabError('conflict', `${unit.label} is not an attached process: only those can be detached.`, 'unitId')
    const run = this.run(unit.runId)
    if (run.info.status !== 'running')
      throw new LabError('conflict', `The lab no longer watches ${unit.label} (${run.info.status}).`, 'unitId')
    const info = await run.stop()
    return { ...info }
  }

  async about(): Promise<AboutInfo> {
    return aboutInfo(pythonCommand())
  }

  async quit(): Promise<void> {
    if (!this.quitApp)
      throw new LabError('conflict', 'This lab cannot be quit from the window; stop it where it was started (Ctrl-C).')
    // After the reply has gone out: the entry's shutdown closes the connection.
    setTimeout(() => this.quitApp?.(), 50)
  }

  /** A command chosen in the desktop menu, passed on to the window (the lab itself does nothing with it). */
  emitAppCommand(id: string): void {
    this.appCommandListeners.forEach((fn) => fn({ id }))
  }

  onAppCommand(listener: (cmd: { id: string }) => void): Unsubscribe {
    this.appCommandListeners.add(listener)
    return () => this.appCommandListeners.delete(listener)
  }

  async setSamplingInterval(req: { ms: number }): Promise<void> {
    const v = validateInterval(req.ms)
    if (!v.ok) throw LabError.invalid(v.errors)
    this.scheduler.setTickInterval(v.value)
    // The interval is a setting too: the next launch starts with it.
    if (this.settingsFile.settings.intervalMs !== v.value) this.storeSettings({ intervalMs: v.value })
  }

  async getSettings(): Promise<SettingsState> {
    return this.settingsFile.state()
  }

  async setSettings(patch: Partial<Settings>): Promise<Settings> {
    const v = validateSettingsPatch(patch)
    if (!v.ok) throw LabError.invalid(v.errors)
    if (v.value.intervalMs !== undefined) this.scheduler.setTickInterval(v.value.intervalMs)
    const settings = this.storeSettings(v.value)
    if (v.value.record !== undefined) this.recorder.setEnabled(v.value.record)
    return settings
  }

  async resetSettings(): Promise<Settings> {
    const settings = this.saving(() => this.settingsFile.reset())
    this.scheduler.setTickInterval(settings.intervalMs)
    this.recorder.setEnabled(settings.record)
    return settings
  }

  private storeSettings(patch: Partial<Settings>): Settings {
    return this.saving(() => this.settingsFile.update(patch))
  }

  private saving(write: () => Settings): Settings {
    try {
      return write()
    } catch (err) {
      throw new LabError(
        'failed',
        `The settings could not be saved in ${this.settingsFile.dir}: ${(err as Error).message.split('\n')[0]}`,
      )
    }
  }

  async summary(req: { runId: string }): Promise<RunSummary> {
    return this.runSummary(req.runId)
  }

  private runSummary(runId: string): RunSummary {
    const run = this.run(runId)
    const units = this.units
      .all()
      .filter((u) => u.runId === run.info.id)
      .map((u) => {
        const st = this.scheduler.stats.get(u.id)
        const lock = this.units.lockTimes(u.id)
        return {
          id: u.id,
          label: u.label,
          kind: u.kind,
          pid: u.pid,
          tid: u.tid,
          state: u.state,
          exitCode: u.exitCode,
          signal: u.signal,
          error: u.error,
          peakCpu: st?.peakCpu ?? null,
          meanCpu: st && st.cpuCount > 0 ? st.cpuSum / st.cpuCount : null,
          peakRss: st?.peakRss ?? null,
          time: meanTime(st),
          transient: st?.transient ?? null,
          lockWaitMs: lock.waitMs,
          lockHoldMs: lock.holdMs,
        }
      })
    const transient = { processes: 0, cpuMs: 0 }
    for (const u of units) {
      transient.processes += u.transient?.processes ?? 0
      transient.cpuMs += u.transient?.cpuMs ?? 0
    }
    return { run: { ...run.info }, units, transient }
  }

  /** Stops every run and the tick loop. */
  async close(): Promise<void> {
    await this.comparesService?.close()
    await Promise.all([...this.runs.values()].map((r) => r.stop()))
    await Promise.all(this.spawner.liveUnits().map((u) => u.host.stop()))
    await this.programs.close()
    await this.lifeline.close()
    // The last tick, so a recording holds how everything ended.
    if (this.recorder.currentFile !== null) await this.scheduler.tick()
    this.scheduler.stop()
    await this.recorder.finish()
    this.sampler.close()
    this.listeners.clear()
    this.appCommandListeners.clear()
    this.memory.close()
  }

  private run(runId: string): Run {
    const run = this.runs.get(runId)
    if (!run) throw new LabError('not-found', `There is no run ${echo(runId)}.`, 'runId')
    return run
  }

  private liveRun(runId: string): Run {
    const run = this.run(runId)
    if (run.info.status !== 'running')
      throw new LabError('conflict', `Run ${runId} has already ended (${run.info.status}).`, 'runId')
    return run
  }
}
