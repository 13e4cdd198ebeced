// Recorded sessions and the time scrubber: open one into the same stores the live views read, play, step, seek; or
// rewind through what this window has seen; and back to live.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { LabError, UPLOAD_PART_CHARS } from '../../../shared/contract'
import {
  FILE_EXTENSION,
  FRAME_HISTORY_MS,
  type ReplayInfo,
  type SessionInfo,
  type SessionTotals,
} from '../../../shared/recording/format'
import { totalsOf } from '../../../shared/recording/totals'
import { labConnection } from '../api'
import { useLabStore } from './lab'
import { useRunsStore } from './runs'
import { useViewStore } from './view'

export const SPEEDS = [1, 4, 16] as const
/** The compare picker's name for the live run as this window has seen it (no file is named like it). */
export const LIVE_SESSION = ':live'
export const LIVE_LABEL = 'Live (this window)'
/** Ticks a forward step may span and still be applied onto what is shown instead of redrawn. */
const FORWARD_STEPS = 16

function message(err: unknown): string {
  return err instanceof LabError || err instanceof Error ? err.message : String(err)
}

export const useReplayStore = defineStore('replay', () => {
  const lab = useLabStore()
  const view = useViewStore()
  const runs = useRunsStore()
  const sessions = shallowRef<SessionInfo[]>([])
  const listError = ref<string | null>(null)
  const search = ref('')
  const opened = shallowRef<ReplayInfo | null>(null)
  /** Tick times the scrubber moves over: the recording's, or this window's when rewinding. */
  const times = shallowRef<number[]>([])
  const index = ref(0)
  const playing = ref(false)
  const speed = ref<(typeof SPEEDS)[number]>(1)
  const error = ref<string | null>(null)
  const busy = ref(false)
  /** Milliseconds the last frame took from asking to drawn (the scrubber's own cost). */
  const lastFrameMs = ref(0)
  let wanted: number | null = null
  /** Index of the tick the stores hold now (null: nothing of this recording shown yet). */
  let shown: number | null = null
  let timer: ReturnType<typeof setTimeout> | null = null

  const mode = computed(() => lab.source)
  const currentT = computed(() => times.value[index.value] ?? 0)
  const startT = computed(() => times.value[0] ?? 0)
  const endT = computed(() => times.value[times.value.length - 1] ?? 0)

  const filtered = computed(() => {
    const q = search.value.trim().toLowerCase()
    if (!q) return sessions.value
    return sessions.value.filter((s) => `${s.name} ${s.what} ${s.startedAt}`.toLowerCase().includes(q))
  })

  async function refresh(): Promise<void> {
    try {
      sessions.value = await labConnection().api.listSessions()
      listError.value = null
    } catch (err) {
      listError.value = `The sessions could not be listed: ${message(err)}`
    }
  }

  async function remove(name: string): Promise<void> {
    try {
      await labConnection().api.deleteSession({ name })
      if (opened.value?.session.name === name) backToLive()
      await refresh()
    } catch (err) {
      listError.value = message(err)
    }
  }

  async function open(name: string): Promise<void> {
    error.value = null
    try {
      const info = await labConnection().api.openSession({ name })
      pause()
      opened.value = info
      shown = null
      times.value = info.tickTimes
      lab.setSource('replay')
      await seek(0)
    } catch (err) {
      error.value = `${name} could not be opened: ${message(err)}`
    }
  }

  /** Opens a recording and shows it in the view it belongs to: Programs for a watch, Monitor for a comparison, else Scenarios. */
  async function openAndShow(name: string): Promise<void> {
    await open(name)
    showOpened()
  }

  /** Shows the opened recording in its view; the Sessions view (with the reason) when it could not be opened. */
  function showOpened(): void {
    if (lab.source !== 'replay' || !opened.value) return view.show('sessions')
    const started = opened.value.session.started
    // The Scenarios view shows the selected scenario's run: select the one this recording ran.
    const run = started.find((s) => s.kind === 'run')
    if (run && runs.scenarios.some((s) => s.id === run.what)) runs.selectedScenarioId = run.what
    view.show(
      started.some((s) => s.kind === 'watch')
        ? 'programs'
        : started.some((s) => s.kind === 'compare')
          ? 'monitor'
          : 'scenarios',
    )
  }

  /** The desktop app's Open dialog: the lab checks the chosen file and adds it to the sessions folder; then it opens. */
  async function openWithDialog(): Promise<void> {
    error.value = null
    try {
      const added = await labConnection().api.openRecording()
      if (!added) return
      await refresh()
      await openAndShow(added.name)
    } catch (err) {
      error.value = message(err)
      view.show('sessions')
    }
  }

  /** A file dropped onto the window: a recording is sent to the lab as an upload (both modes) and opens. */
  async function openDropped(file: File): Promise<void> {
    if (!file.name.toLowerCase().endsWith(FILE_EXTENSION)) {
      error.value = `${file.name} is not a recording: drop a ${FILE_EXTENSION} file to open it.`
      return view.show('sessions')
    }
    if (await upload(file)) showOpened()
    else view.show('sessions')
  }

  /** Sends a chosen file to the lab in parts; it lands in the sessions folder and opens (true when it did). */
  async function upload(file: File): Promise<boolean> {
    error.value = null
    try {
      const bytes = new Uint8Array(await file.arrayBuffer())
      const id = `${Date.now()}-${Math.random().toString(36).slice(2)}`
      const partBytes = (UPLOAD_PART_CHARS / 4) * 3
      let added: SessionInfo | null = null
      const parts = Math.max(1, Math.ceil(bytes.length / partBytes))
      for (let i = 0; i < parts; i++) {
        let bin = ''
        for (const b of bytes.subarray(i * partBytes, (i + 1) * partBytes)) bin += String.fromCharCode(b)
        added = await labConnection().api.uploadSession({
          upload: id,
          fileName: file.name,
          part: i,
          data: btoa(bin),
          last: i === parts - 1,
        })
      }
      await refresh()
      if (!added) return false
      await open(added.name)
      return opened.value?.session.name === added.name
    } catch (err) {
      error.value = message(err)
      return false
    }
  }

  /** Shows tick i (clamped). Requests coalesce: while one is drawn, only the newest wish is kept. */
  async function seek(i: number): Promise<void> {
    index.value = Math.max(0, Math.min(times.value.length - 1, Math.round(i)))
    if (lab.source === 'rewind') {
      const t0 = performance.now()
      lab.showRewound(currentT.value)
      lastFrameMs.value = performance.now() - t0
      return
    }
    const info = opened.value
    if (!info) return
    wanted = index.value
    if (busy.value) return
    busy.value = true
    try {
      while (wanted !== null) {
        const target = wanted
        wanted = null
        const t0 = performance.now()
        const from = shown
        // A short step forward (playing) applies the ticks in between onto what is shown; anything else redraws.
        const forward = from !== null && target > from && target - from <= FORWARD_STEPS
        const t = times.value[target]
        const history = forward ? t - times.value[from] : FRAME_HISTORY_MS
        const frame = await labConnection().api.sessionFrame({ name: info.session.name, t, historyMs: history })
        if (opened.value !== info || lab.source !== 'replay') return
        if (forward) lab.applyTicks(frame.ticks.filter((x) => x.t > times.value[from]))
        else lab.applyFrame(frame, info.header.labPid)
        shown = target
        lastFrameMs.value = performance.now() - t0
      }
    } catch (err) {
      error.value = message(err)
    } finally {
      busy.value = false
    }
  }

  function step(delta: number): void {
    pause()
    void seek(index.value + delta)
  }

  function play(): void {
    if (times.value.length === 0) return
    if (index.value >= times.value.length - 1) void seek(0)
    playing.value = true
    let last = performance.now()
    const advance = (): void => {
      if (!playing.value) return
      const now = performance.now()
      // Recorded time runs `speed` times as fast as the wall clock: move to the last tick that time has reached.
      const target = currentT.value + (now - last) * speed.value
      let i = index.value
      while (i + 1 < times.value.length && times.value[i + 1] <= target) i++
      if (i !== index.value) {
        last = now - (target - times.value[i]) / speed.value
        void seek(i)
      }
      if (i >= times.value.length - 1) return pause()
      timer = setTimeout(advance, 16)
    }
    timer = setTimeout(advance, 16)
  }

  function pause(): void {
    playing.value = false
    if (timer) clearTimeout(timer)
    timer = null
  }

  /** Pauses the live display and steps back through what this window has seen. */
  function rewind(back = 1): void {
    if (lab.source === 'replay') return
    if (lab.source === 'live') {
      const t = lab.rewindTimes()
      if (t.length < 2) return
      pause()
      opened.value = null
      times.value = t
      index.value = t.length - 1
      lab.setSource('rewind')
    }
    step(-back)
  }

  function backToLive(): void {
    pause()
    opened.value = null
    times.value = []
    index.value = 0
    error.value = null
    if (lab.source !== 'live') lab.setSource('live')
  }

  const totals = shallowRef<SessionTotals[]>([])
  const totalsError = ref<string | null>(null)

  /** Which two are compared; LIVE_SESSION stands for what this window has seen of the live run. */
  let comparing: [string, string] | null = null
  let liveTimer: ReturnType<typeof setInterval> | null = null

  /** Totals of a recording (from the lab), or of the live run as this window has seen it (computed here). */
  function totalsFor(name: string): Promise<SessionTotals> {
    if (name !== LIVE_SESSION) return labConnection().api.sessionTotals({ name })
    const { base, ticks } = lab.seen()
    const records = [{ k: 'key' as const, state: base }, ...ticks.map((tick) => ({ k: 'tick' as const, tick }))]
    return Promise.resolve(totalsOf(LIVE_SESSION, records, LIVE_LABEL))
  }

  /** Totals and CPU series of two sessions, side by side; with the live run, its side follows it every second. */
  async function compare(a: string, b: string): Promise<void> {
    totalsError.value = null
    comparing = [a, b]
    if (liveTimer) clearInterval(liveTimer)
    liveTimer = null
    try {
      totals.value = await Promise.all([a, b].map(totalsFor))
      if (a === LIVE_SESSION || b === LIVE_SESSION) liveTimer = setInterval(() => void refreshLive(), 1000)
    } catch (err) {
      totals.value = []
      totalsError.value = message(err)
    }
  }

  async function refreshLive(): Promise<void> {
    if (!comparing) return
    const [a, b] = comparing
    const next = await Promise.all(
      [a, b].map((name, i) => (name === LIVE_SESSION ? totalsFor(name) : Promise.resolve(totals.value[i]))),
    )
    if (comparing?.[0] === a && comparing[1] === b) totals.value = next
  }

  /** Leaves the comparison (the live side stops following). */
  function stopComparing(): void {
    comparing = null
    if (liveTimer) clearInterval(liveTimer)
    liveTimer = null
  }

  return {
    sessions,
    listError,
    search,
    filtered,
    opened,
    times,
    index,
    playing,
    speed,
    error,
    busy,
    lastFrameMs,
    mode,
    currentT,
    startT,
    endT,
    totals,
    totalsError,
    refresh,
    remove,
    open,
    openAndShow,
    openWithDialog,
    openDropped,
    upload,
    seek,
    step,
    play,
    pause,
    rewind,
    backToLive,
    compare,
    stopComparing,
  }
})
