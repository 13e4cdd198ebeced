// Scenario catalog, runs and their logs, marks and pool task events; the commands that start and steer runs.
import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef, triggerRef } from 'vue'
import type { ScenarioInfo, ScenarioSource } from '../../../shared/contract'
import { LabError } from '../../../shared/contract'
import type {
  LabSnapshot,
  LogLine,
  MarkEvent,
  RunHistory,
  RunInfo,
  RunSummary,
  TaskEvent,
  Tick,
} from '../../../shared/model'
import type { ParamValues } from '../../../shared/params'
import type { SessionStateData } from '../../../shared/recording/format'
import { labConnection } from '../api'
import { useUnitsStore } from './units'

/** Runs whose history a reloaded window asks the lab for (newest first). */
export const RESTORED_RUNS = 20

/** Log lines kept per run; older ones scroll away. */
export const LOG_CAPACITY = 2000
/** Task events kept per run. */
export const TASK_CAPACITY = 5000

export interface RunRecord {
  info: RunInfo
  logs: LogLine[]
  /** Lines ever received, so a line keeps its index after older ones scroll away. */
  logCount: number
  marks: MarkEvent[]
  tasks: TaskEvent[]
  summary: RunSummary | null
}

function pushBounded<T>(list: T[], item: T, cap: number): void {
  list.push(item)
  if (list.length > cap) list.splice(0, list.length - Math.floor(cap * 0.75))
}

export const useRunsStore = defineStore('runs', () => {
  const scenarios = ref<ScenarioInfo[]>([])
  const catalogError = ref<string | null>(null)
  // Records mutate in place; `runs` is triggered once per tick that touched any of them.
  const runs = shallowRef(markRaw(new Map<string, RunRecord>()))
  const selectedScenarioId = ref<string>('counters')
  /** What the parameter form holds per scenario, raw as typed (validated before Start). */
  const forms = ref<Record<string, Record<string, unknown>>>({})
  /** Slow motion for the next Start: every sleep lasts this many times longer. */
  const timeScale = ref(1)
  /** "What do you expect?" per scenario, chosen before Start (null: no prediction). */
  const predictions = ref<Record<string, string | null>>({})
  /** The prediction each run was started with, for its verdict. */
  const runPredictions = ref<Record<string, string | null>>({})
  /** Each scenario's code, once loaded (a sentence when it cannot be shown). */
  const sources = ref<Record<string, ScenarioSource | { error: string }>>({})
  /** The log line chosen in the log (run id and its index): the code pane highlights the line that printed it. */
  const selectedLog = ref<{ runId: string; n: number } | null>(null)

  const sections = computed(() => {
    const out = new Map<string, ScenarioInfo[]>()
    for (const s of scenarios.value) {
      const list = out.get(s.section)
      if (list) list.push(s)
      else out.set(s.section, [s])
    }
    return [...out.entries()].map(([title, items]) => ({ title, items }))
  })

  const selectedScenario = computed(() => scenarios.value.find((s) => s.id === selectedScenarioId.value) ?? null)

  /** The newest run of each scenario: what a view of that scenario shows. */
  const newestRuns = computed(() => {
    const out = new Map<string, RunRecord>()
    for (const r of runs.value.values()) {
      const best = out.get(r.info.scenario)
      if (!best || r.info.startedAt >= best.info.startedAt) out.set(r.info.scenario, r)
    }
    return out
  })

  function newestRun(scenarioId: string | null | undefined): RunRecord | null {
    return (scenarioId ? newestRuns.value.get(scenarioId) : undefined) ?? null
  }

  function record(info: RunInfo): RunRecord {
    const r = runs.value.get(info.id)
    const next: RunRecord = r ? { ...r, info } : { info, logs: [], logCount: 0, marks: [], tasks: [], summary: null }
    runs.value.set(info.id, next)
    return next
  }

  /** A record changes identity whenever it changes, so views holding it as a prop see the change. */
  function touch(id: string): RunRecord | undefined {
    const r = runs.value.get(id)
    if (!r) return undefined
    const next = { ...r }
    runs.value.set(id, next)
    return next
  }

  async function loadCatalog(): Promise<void> {
    try {
      scenarios.value = await labConnection().api.listScenarios()
      catalogError.value = null
      if (!scenarios.value.some((s) => s.id === selectedScenarioId.value) && scenarios.value[0])
        selectedScenarioId.value = scenarios.value[0].id
    } catch (err) {
      catalogError.value = `The scenario list could not be loaded: ${(err as LabError).message}`
    }
  }

  function reset(snap: LabSnapshot): void {
    runs.value.clear()
    for (const info of snap.runs) record(info)
    // Each scenario's form shows the values its newest run was started with (and the lock as it is now).
    const newest = new Map<string, RunInfo>()
    for (const info of snap.runs)
      if ((newest.get(info.scenario)?.startedAt ?? -Infinity) <= info.startedAt) newest.set(info.scenario, info)
    for (const [scenario, info] of newest)
      forms.value[scenario] = { ...info.params, ...(info.lock === null ? {} : { lock: info.lock }) }
    triggerRef(runs)
    const recent = [...snap.runs].sort((a, b) => b.startedAt - a.startedAt).slice(0, RESTORED_RUNS)
    for (const info of recent) void restore(info.id)
  }

  /** Gets a run's log, events and timeline back from the lab (after a reload), keeping what ticks brought since. */
  async function restore(runId: string): Promise<void> {
    let history: RunHistory
    try {
      history = await labConnection().api.runHistory({ runId })
    } catch {
      return
    }
    useUnitsStore().restoreRun(history.units, history.states, history.samples)
    const r = touch(runId)
    if (!r) return
    const since = <T extends { t: number }>(kept: readonly T[], list: T[]): T[] => {
      const last = kept.length ? kept[kept.length - 1].t : -Infinity
      return [...kept, ...list.filter((x) => x.t > last)]
    }
    const newer = r.logs.filter((l) => l.t > (history.logs.at(-1)?.t ?? -Infinity))
    r.logs = since(history.logs, r.logs)
    r.logCount = history.logCount + newer.length
    r.marks = since(history.marks, r.marks)
    r.tasks = since(history.tasks, r.tasks)
    r.info = history.run.endedAt !== null || r.info.endedAt === null ? history.run : r.info
    triggerRef(runs)
    if (r.info.status !== 'running') void loadSummary(runId)
  }

  /**
   * What the views show: the live lab, a recording (its runs were never this lab's: summaries come from the recording),
   * or an earlier instant of this window. Only live can start, stop or change anything.
   */
  const mode = ref<'live' | 'replay' | 'rewind'>('live')

  /** Shows a recorded (or rewound) instant: runs, their logs, marks and task events, and the summaries recorded. */
  function refuseInReplay(): void {
    if (mode.value === 'replay')
      throw new LabError(
        'conflict',
        'This is a replay of a recording: it cannot start, stop or change anything. Go back to live first.',
      )
    if (mode.value === 'rewind')
      throw new LabError(
        'conflict',
        'The display is rewound to an earlier instant: go back to live to start, stop or change anything.',
      )
  }

  function loadState(state: SessionStateData): void {
    runs.value.clear()
    for (const info of state.runs) record(info)
    for (const line of state.logs) {
      const r = line.runId ? runs.value.get(line.runId) : undefined
      if (r) {
        pushBounded(r.logs, line, LOG_CAPACITY)
        r.logCount++
      }
    }
    for (const ev of state.events) {
      const r = ev.type === 'mark' || ev.type === 'task' ? (ev.runId ? runs.value.get(ev.runId) : undefined) : undefined
      if (r && ev.type === 'mark') pushBounded(r.marks, ev, LOG_CAPACITY)
      else if (r && ev.type === 'task') pushBounded(r.tasks, ev, TASK_CAPACITY)
    }
    for (const sum of state.summaries) {
      const r = runs.value.get(sum.run.id)
      if (r && r.info.status !== 'running') r.summary = sum
    }
    triggerRef(runs)
  }

  function applyTick(tick: Tick): void {
    if (tick.logs.length === 0 && tick.events.every((e) => e.type === 'state')) return
    const ended: string[] = []
    const touched = new Set<string>()
    const get = (id: string | null): RunRecord | undefined => {
      if (!id) return undefined
      const r = touched.has(id) ? runs.value.get(id) : touch(id)
      if (r) touched.add(id)
      return r
    }
    for (const line of tick.logs) {
      const r = get(line.runId)
      if (r) {
        pushBounded(r.logs, line, LOG_CAPACITY)
        r.logCount++
      }
    }
    for (const ev of tick.events) {
      if (ev.type === 'run') {
        record(ev.run)
        touched.add(ev.run.id)
        if (ev.run.status !== 'running') ended.push(ev.run.id)
      } else if (ev.type === 'mark') {
        const r = get(ev.runId)
        if (r) pushBounded(r.marks, ev, LOG_CAPACITY)
      } else if (ev.type === 'task') {
        const r = get(ev.runId)
        if (r) pushBounded(r.tasks, ev, TASK_CAPACITY)
      }
    }
    triggerRef(runs)
    if (mode.value !== 'replay') for (const id of ended) void loadSummary(id)
  }

  async function loadSummary(runId: string): Promise<void> {
    try {
      const summary = await labConnection().api.summary({ runId })
      const r = touch(runId)
      if (r) {
        r.summary = summary
        triggerRef(runs)
      }
    } catch {
      // The result itself came with the run event; the per-unit summary is extra.
    }
  }

  async function loadSource(scenario: string): Promise<void> {
    if (sources.value[scenario]) return
    try {
      sources.value[scenario] = await labConnection().api.scenarioSource({ scenario })
    } catch (err) {
      sources.value[scenario] = { error: (err as LabError).message }
    }
  }

  async function start(scenario: string, params: ParamValues): Promise<RunInfo> {
    refuseInReplay()
    const info = await labConnection().api.start({
      scenario,
      params,
      ...(timeScale.value === 1 ? {} : { timeScale: timeScale.value }),
    })
    runPredictions.value[info.id] = predictions.value[scenario] ?? null
    record(info)
    triggerRef(runs)
    return info
  }

  async function stop(runId: string): Promise<void> {
    refuseInReplay()
    record(await labConnection().api.stop({ runId }))
    triggerRef(runs)
  }

  async function setLock(runId: string, on: boolean): Promise<void> {
    refuseInReplay()
    record(await labConnection().api.setLock({ runId, on }))
    triggerRef(runs)
  }

  async function resizePool(runId: string, size: number): Promise<void> {
    refuseInReplay()
    record(await labConnection().api.resizePool({ runId, size }))
    triggerRef(runs)
  }

  /** Tasks a pool worker ran, from the task events of its run. */
  function tasksOfWorker(runId: string | null, unitId: string): TaskEvent[] {
    const r = runId ? runs.value.get(runId) : undefined
    return r ? r.tasks.filter((t) => t.worker === unitId) : []
  }

  return {
    scenarios,
    catalogError,
    runs,
    selectedScenarioId,
    forms,
    predictions,
    runPredictions,
    timeScale,
    sources,
    selectedLog,
    loadSource,
    sections,
    selectedScenario,
    newestRun,
    loadCatalog,
    reset,
    loadState,
    mode,
    applyTick,
    start,
    stop,
    setLock,
    resizePool,
    tasksOfWorker,
  }
})
