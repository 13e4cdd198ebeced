// The connection to the lab: snapshot on (re)connect, one tick at a time into the other stores, pause, interval.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { LabError } from '../../../shared/contract'
import type { MachineSample, SamplerStats, Tick } from '../../../shared/model'
import { validateInterval } from '../../../shared/params'
import { FRAME_HISTORY_MS, type ReplayFrame, type SessionStateData } from '../../../shared/recording/format'
import { SessionState } from '../../../shared/recording/session-state'
import { labConnection, type ConnectionState } from '../api'
import { useRunsStore } from './runs'
import { useUnitsStore } from './units'

/** Ticks held while the display is paused; past this the oldest lose their samples (identity, logs and events stay). */
const PAUSE_BACKLOG = 1200
/** Ticks of this window kept to rewind through (10 min at the default 500 ms); older ones fold into a base state. */
export const REWIND_TICKS = 1200

export const useLabStore = defineStore('lab', () => {
  const units = useUnitsStore()
  const runs = useRunsStore()

  const connection = ref<ConnectionState>('connecting')
  const connectionError = ref<string | null>(null)
  /** Whether File > Open… shows the system's dialog (else a view's own file chooser). */
  const openDialogs = ref(false)
  const cores = ref(1)
  const platform = ref('')
  const collector = ref('')
  /** Where a person's own programs live, and what the lab cannot show on this platform: from the snapshot. */
  const programsDir = ref<string | null>(null)
  const notes = ref<string[]>([])
  const intervalMs = ref(500)
  const intervalError = ref<string | null>(null)
  const machine = shallowRef<MachineSample>({ cores: [], memTotal: 0, memUsed: 0 })
  const sampler = shallowRef<SamplerStats | null>(null)
  const lastSeq = ref(-1)
  const paused = ref(false)
  const backlog: Tick[] = []
  const backlogSize = ref(0)
  let started = false
  let labPid = 0
  /** What this window has seen: a base state, then the newest ticks (for rewinding while live). */
  let liveBase = new SessionState()
  const liveTicks: Tick[] = []
  const rewindable = ref(0)
  const source = ref<'live' | 'replay' | 'rewind'>('live')
  /** True while the views show a recording or an earlier instant: nothing can be started, stopped or ended. */
  const readOnly = computed(() => source.value !== 'live')

  const machineCpu = computed(() => {
    const c = machine.value.cores
    return c.length ? c.reduce((a, b) => a + b, 0) / c.length : null
  })

  function apply(tick: Tick): void {
    machine.value = tick.machine
    sampler.value = tick.sampler
    intervalMs.value = tick.sampler.intervalMs
    lastSeq.value = tick.seq
    units.applyTick(tick)
    runs.applyTick(tick)
  }

  function remember(tick: Tick): void {
    liveTicks.push(tick)
    if (liveTicks.length > REWIND_TICKS) liveBase.applyTick(liveTicks.shift()!)
    rewindable.value = liveTicks.length
  }

  /** Shows one instant: a state, then the ticks after it in order (so charts and timelines have their history). */
  function applyFrame(frame: ReplayFrame, pid: number): void {
    units.loadState(frame.base, pid)
    runs.loadState(frame.base)
    const rest = frame.base.tickRest as Partial<Tick> | null
    if (rest?.machine) machine.value = rest.machine
    if (rest?.sampler) sampler.value = rest.sampler
    for (const tick of frame.ticks) apply(tick)
  }

  /** Moves a replay on: the ticks after the instant shown, applied as live ones are (no reset, history kept). */
  function applyTicks(ticks: readonly Tick[]): void {
    for (const tick of ticks) apply(tick)
  }

  /** This window's state at lab time t, drawn with FRAME_HISTORY_MS of history. */
  function liveFrame(t: number): ReplayFrame {
    const base = SessionState.from(liveBase.toData())
    const ticks: Tick[] = []
    for (const tick of liveTicks) {
      if (tick.t > t) break
      if (tick.t <= t - FRAME_HISTORY_MS) base.applyTick(tick)
      else ticks.push(tick)
    }
    return { base: base.toData(), ticks }
  }

  /** Everything this window has seen of the live session: the folded base, then the ticks it keeps. */
  function seen(): { base: SessionStateData; ticks: Tick[] } {
    return { base: liveBase.toData(), ticks: [...liveTicks] }
  }

  /** Times of the ticks this window can rewind to. */
  function rewindTimes(): number[] {
    return liveTicks.map((t) => t.t)
  }

  function setSource(next: 'live' | 'replay' | 'rewind'): void {
    source.value = next
    runs.mode = next
    if (next === 'live') {
      backlog.length = 0
      backlogSize.value = 0
      applyFrame(liveFrame(Infinity), labPid)
    }
  }

  function showRewound(t: number): void {
    applyFrame(liveFrame(t), labPid)
  }

  function onTick(tick: Tick): void {
    remember(tick)
    if (source.value !== 'live') return
    if (!paused.value) return apply(tick)
    backlog.push(tick)
    if (backlog.length > PAUSE_BACKLOG) backlog[backlog.length - PAUSE_BACKLOG - 1].samples = []
    backlogSize.value = backlog.length
  }

  async function resync(): Promise<void> {
    const api = labConnection().api
    const snap = await api.snapshot()
    backlog.length = 0
    backlogSize.value = 0
    cores.value = snap.cores
    platform.value = snap.platform
    collector.value = snap.collector
    programsDir.value = snap.programsDir ?? null
    notes.value = snap.notes ?? []
    intervalMs.value = snap.intervalMs
    units.reset(snap)
    runs.reset(snap)
    labPid = snap.pid
    liveBase = new SessionState()
    liveBase.seed(snap.t, snap.units, snap.runs)
    liveTicks.length = 0
    rewindable.value = 0
    if (source.value === 'rewind') setSource('live')
    await runs.loadCatalog()
  }

  /** Connects once, for the page's lifetime; later calls are no-ops. Re-snapshots after every reconnect. */
  function start(): void {
    if (started) return
    started = true
    const conn = labConnection()
    openDialogs.value = conn.openDialogs
    conn.api.onTick(onTick)
    conn.onState((state, reason) => {
      connection.value = state
      if (state === 'closed' || state === 'refused') connectionError.value = reason
      if (state === 'open') {
        connectionError.value = null
        resync().catch((err: LabError) => (connectionError.value = `The lab's state could not be read: ${err.message}`))
      }
    })
  }

  function setPaused(on: boolean): void {
    paused.value = on
    if (!on) {
      for (const tick of backlog.splice(0)) apply(tick)
      backlogSize.value = 0
    }
  }

  async function setIntervalMs(raw: unknown): Promise<void> {
    const v = validateInterval(raw)
    if (!v.ok) {
      intervalError.value = v.errors[0].message
      return
    }
    try {
      await labConnection().api.setSamplingInterval({ ms: v.value })
      intervalMs.value = v.value
      intervalError.value = null
    } catch (err) {
      intervalError.value = (err as LabError).message
    }
  }

  return {
    connection,
    connectionError,
    openDialogs,
    cores,
    platform,
    collector,
    programsDir,
    notes,
    intervalMs,
    intervalError,
    machine,
    machineCpu,
    sampler,
    lastSeq,
    paused,
    backlogSize,
    start,
    setPaused,
    setIntervalMs,
    source,
    readOnly,
    rewindable,
    applyFrame,
    applyTicks,
    setSource,
    showRewound,
    rewindTimes,
    seen,
  }
})
