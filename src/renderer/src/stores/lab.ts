// The connection to the lab: snapshot on (re)connect, one tick at a time into the other stores, pause, interval.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { LabError } from '../../../shared/contract'
import type { MachineSample, SamplerStats, Tick } from '../../../shared/model'
import { validateInterval } from '../../../shared/params'
import { labConnection, type ConnectionState } from '../api'
import { useRunsStore } from './runs'
import { useUnitsStore } from './units'

/** Ticks held while the display is paused; past this the oldest lose their samples (identity, logs and events stay). */
const PAUSE_BACKLOG = 1200

export const useLabStore = defineStore('lab', () => {
  const units = useUnitsStore()
  const runs = useRunsStore()

  const connection = ref<ConnectionState>('connecting')
  const connectionError = ref<string | null>(null)
  const transport = ref<'electron' | 'browser'>('browser')
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

  function onTick(tick: Tick): void {
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
    await runs.loadCatalog()
  }

  /** Connects once, for the page's lifetime; later calls are no-ops. Re-snapshots after every reconnect. */
  function start(): void {
    if (started) return
    started = true
    const conn = labConnection()
    transport.value = conn.transport
    conn.api.onTick(onTick)
    conn.onState((state, reason) => {
      connection.value = state
      if (state === 'closed') connectionError.value = reason
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
    transport,
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
  }
})
