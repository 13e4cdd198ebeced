// Every unit the lab reports, its latest sample and bounded history, and how the table is sorted, filtered and chosen.
import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef } from 'vue'
import type {
  LabSnapshot,
  Sample,
  SamplePoint,
  StateEvent,
  Tick,
  TimeSplit,
  TransientCount,
  Unit,
} from '../../../shared/model'
import { BLOCK_REASONS } from '../../../shared/model'
import type { SessionStateData } from '../../../shared/recording/format'
import { isFinal } from '../../../shared/model'
import { labConnection } from '../api'
import type { CpuScale } from '../../../shared/format'
import { UnitSeries } from '../lib/ring-buffer'
import { MAX_TRANSITIONS, pushTransition, type Transition } from '../lib/timeline'
import { buildRows, stepSelection, type SortKey, type SortSpec, type UnitRow } from '../lib/unit-tree'

/** Samples kept per unit: 10 min at the default 500 ms, 1 min at 100 ms. */
export const HISTORY_CAPACITY = 1200

export const useUnitsStore = defineStore('units', () => {
  // Plain containers mutated in place; `version` bumps once per applied tick so views redraw once.
  // markRaw: the store is reactive, and these must not be deep-proxied on every read.
  const units = markRaw(new Map<string, Unit>())
  const latest = markRaw(new Map<string, Sample>())
  const series = markRaw(new Map<string, UnitSeries>())
  const transitions = markRaw(new Map<string, Transition[]>())
  /** OS state letter changes per unit (R runnable, S sleeping ...): program threads' timeline lanes. */
  const osTransitions = markRaw(new Map<string, { t: number; os: string }[]>())
  /** Short-lived children per parent unit, counted since it started. */
  const shortLived = markRaw(new Map<string, TransientCount>())
  /** Each unit's time splits summed over its life, and how many: its mean says where its time went. */
  const timeSums = markRaw(new Map<string, { sum: TimeSplit; n: number }>())
  const version = ref(0)
  const now = ref(0)
  const labPid = ref(0)
  const mainUnitId = ref<string | null>(null)

  const sort = ref<SortSpec>({ key: 'cpu', dir: -1 })
  const filter = ref('')
  const collapsed = shallowRef(new Set<string>())
  const showEnded = ref(true)
  const scale = ref<CpuScale>('core')
  const selectedId = ref<string | null>(null)
  /** Helper threads (queue feeders, pool handlers, the lab's flags reader) are folded away unless this is on. */
  const showHelpers = ref(false)

  function upsert(u: Unit): void {
    units.set(u.id, u)
    if (u.kind === 'main') mainUnitId.value = u.id
    if (isFinal(u.state)) latest.delete(u.id)
  }

  function reset(snap: LabSnapshot): void {
    units.clear()
    latest.clear()
    series.clear()
    transitions.clear()
    osTransitions.clear()
    shortLived.clear()
    timeSums.clear()
    labPid.value = snap.pid
    now.value = snap.t
    for (const u of snap.units) {
      upsert(u)
      transitions.set(u.id, [{ t: u.createdAt, state: u.state }])
    }
    version.value++
  }

  /** A run's units, state changes and samples from the lab's journal (a reloaded window): its timeline comes back. */
  function restoreRun(
    list: readonly Unit[],
    states: readonly StateEvent[],
    samples: readonly SamplePoint[] = [],
  ): void {
    for (const u of list) if (!units.has(u.id) || isFinal(u.state)) upsert(u)
    const byUnit = new Map<string, Transition[]>()
    for (const e of states) {
      let l = byUnit.get(e.unit)
      if (!l) byUnit.set(e.unit, (l = []))
      pushTransition(l, { t: e.t, state: e.state })
    }
    for (const [id, l] of byUnit) {
      const current = transitions.get(id) ?? []
      const last = l[l.length - 1]?.t ?? -Infinity
      transitions.set(id, [...l, ...current.filter((tr) => tr.t > last)])
    }
    // Samples older than what ticks have brought since the reload: CPU history and OS letters, in time order.
    const byId = new Map<string, SamplePoint[]>()
    for (const x of samples) {
      let l = byId.get(x.unit)
      if (!l) byId.set(x.unit, (l = []))
      l.push(x)
    }
    for (const [id, l] of byId) {
      const live = series.get(id)
      const first = live?.length ? live.t.at(0) : Infinity
      const older = l.filter((x) => x.t < first)
      if (older.length === 0) continue
      const restored = new UnitSeries(HISTORY_CAPACITY)
      for (const x of older) restored.push(x.t, x.cpu, null)
      for (let i = 0; live && i < live.length; i++) restored.push(live.t.at(i), live.cpu.at(i), live.mem.at(i))
      series.set(id, restored)
      const os: { t: number; os: string }[] = []
      for (const x of older) if (x.os && os.at(-1)?.os !== x.os) os.push({ t: x.t, os: x.os })
      const liveOs = osTransitions.get(id) ?? []
      osTransitions.set(id, [...os, ...liveOs.filter((o, i) => i > 0 || o.os !== os.at(-1)?.os)])
    }
    version.value++
  }

  /** Shows a recorded (or rewound) instant: the state a keyframe holds, before the ticks that follow it are applied. */
  function loadState(state: SessionStateData, pid: number): void {
    units.clear()
    latest.clear()
    series.clear()
    transitions.clear()
    labPid.value = pid
    now.value = state.t
    for (const u of state.units) upsert(u)
    for (const s of state.latest) if (!isFinal(units.get(s.id)?.state ?? 'running')) latest.set(s.id, s)
    for (const [id, list] of Object.entries(state.transitions))
      transitions.set(
        id,
        list.map((x) => ({ ...x })),
      )
    version.value++
  }

  function applyTick(tick: Tick): void {
    now.value = tick.t
    for (const u of tick.units) upsert(u)
    for (const s of tick.samples) {
      if (units.get(s.id) && isFinal(units.get(s.id)!.state)) continue
      latest.set(s.id, s)
      let h = series.get(s.id)
      if (!h) series.set(s.id, (h = new UnitSeries(HISTORY_CAPACITY)))
      h.push(tick.t, s.cpu, s.rss ?? s.heap)
      if (s.os) pushOs(s.id, tick.t, s.os)
      if (s.time) addTime(s.id, s.time)
    }
    for (const p of tick.transient?.parents ?? []) {
      const c = shortLived.get(p.unit) ?? { processes: 0, cpuMs: 0 }
      shortLived.set(p.unit, { processes: c.processes + p.processes, cpuMs: c.cpuMs + p.cpuMs })
    }
    for (const ev of tick.events) {
      if (ev.type !== 'state') continue
      let list = transitions.get(ev.unit)
      if (!list) transitions.set(ev.unit, (list = []))
      pushTransition(list, { t: ev.t, state: ev.state })
    }
    version.value++
  }

  function addTime(id: string, t: TimeSplit): void {
    let acc = timeSums.get(id)
    if (!acc)
      timeSums.set(
        id,
        (acc = { sum: { onCpu: 0, runqueue: 0, blocked: 0, blockedOn: { lock: 0, io: 0, sleep: 0, other: 0 } }, n: 0 }),
      )
    acc.sum.onCpu += t.onCpu
    acc.sum.runqueue += t.runqueue
    acc.sum.blocked += t.blocked
    for (const r of BLOCK_REASONS) acc.sum.blockedOn[r] += t.blockedOn[r]
    acc.n++
  }

  /** A unit's mean split over its life so far, or null. */
  function meanTimeOf(id: string): TimeSplit | null {
    const acc = timeSums.get(id)
    if (!acc || acc.n === 0) return null
    const { sum, n } = acc
    const blockedOn = {
      lock: sum.blockedOn.lock / n,
      io: sum.blockedOn.io / n,
      sleep: sum.blockedOn.sleep / n,
      other: sum.blockedOn.other / n,
    }
    return { onCpu: sum.onCpu / n, runqueue: sum.runqueue / n, blocked: sum.blocked / n, blockedOn }
  }

  function pushOs(id: string, t: number, os: string): void {
    let list = osTransitions.get(id)
    if (!list) osTransitions.set(id, (list = []))
    if (list.at(-1)?.os === os) return
    list.push({ t, os })
    if (list.length > MAX_TRANSITIONS) list.splice(0, list.length - MAX_TRANSITIONS / 2)
  }

  function rowsFor(runId: string | null): UnitRow[] {
    return buildRows(units.values(), latest, {
      sort: sort.value,
      filter: runId === null ? filter.value : '',
      collapsed: collapsed.value,
      showEnded: runId === null ? showEnded.value : true,
      now: now.value,
      runId,
      showHelpers: showHelpers.value,
    })
  }

  const rows = computed(() => {
    void version.value
    return rowsFor(null)
  })

  const selected = computed(() => {
    void version.value
    return selectedId.value === null ? null : (units.get(selectedId.value) ?? null)
  })

  function sortBy(key: SortKey): void {
    const numeric = key !== 'label' && key !== 'kind'
    sort.value = sort.value.key === key ? { key, dir: sort.value.dir === 1 ? -1 : 1 } : { key, dir: numeric ? -1 : 1 }
  }

  function toggleCollapsed(id: string): void {
    const next = new Set(collapsed.value)
    if (!next.delete(id)) next.add(id)
    collapsed.value = next
  }

  function select(id: string | null): void {
    selectedId.value = id
  }

  function step(list: readonly UnitRow[], delta: number): void {
    selectedId.value = stepSelection(list, selectedId.value, delta)
  }

  const unitsOfRun = (runId: string): Unit[] => [...units.values()].filter((u) => u.runId === runId)

  /** Ends a unit the lab started (after the table's confirmation). Rejects with the lab's sentence. */
  /** Stops watching an attached process (the process goes on). */
  async function detach(unitId: string): Promise<void> {
    await labConnection().api.detach({ unitId })
  }

  async function kill(unitId: string): Promise<void> {
    await labConnection().api.kill({ unitId })
  }

  return {
    kill,
    detach,
    units,
    latest,
    series,
    transitions,
    osTransitions,
    shortLived,
    meanTimeOf,
    version,
    now,
    labPid,
    mainUnitId,
    sort,
    filter,
    collapsed,
    showEnded,
    scale,
    selectedId,
    showHelpers,
    rows,
    selected,
    reset,
    restoreRun,
    loadState,
    applyTick,
    rowsFor,
    sortBy,
    toggleCollapsed,
    select,
    step,
    unitsOfRun,
  }
})
