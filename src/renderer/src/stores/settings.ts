// The remembered settings: read from the lab on connect, applied to the other stores, written back when they change.
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import type { LabError } from '../../../shared/contract'
import {
  DEFAULT_SETTINGS,
  type CompareFormValues,
  type OptionalColumn,
  type Settings,
  type ThemeChoice,
} from '../../../shared/settings'
import { labConnection } from '../api'
import { applyThemeChoice } from '../composables/useTheme'
import { useCompareStore } from './compare'
import { useLabStore } from './lab'
import { useUnitsStore } from './units'
import { isViewName, useViewStore } from './view'

/** Changes are written this long after the last one, so a burst (typing a number) is one write. */
const SAVE_DELAY_MS = 300

export const useSettingsStore = defineStore('settings', () => {
  const units = useUnitsStore()
  const view = useViewStore()
  const lab = useLabStore()
  const compare = useCompareStore()

  const theme = ref<ThemeChoice>('system')
  const hiddenColumns = ref<OptionalColumn[]>([])
  /** What happened to a settings file that could not be used (shown until dismissed). */
  const notice = ref<string | null>(null)
  const error = ref<string | null>(null)
  const loaded = ref(false)
  let applying = false
  let pending: Partial<Settings> = {}
  /** What the person changed before the stored settings arrived: it wins over them when they do. */
  let early: Partial<Settings> = {}
  let timer: ReturnType<typeof setTimeout> | null = null

  function apply(s: Settings): void {
    applying = true
    units.scale = s.cpuScale
    units.sort = { ...s.sort }
    units.showEnded = s.showEnded
    hiddenColumns.value = [...s.hiddenColumns]
    if (isViewName(s.view)) view.show(s.view)
    theme.value = s.theme
    applyThemeChoice(s.theme)
    if (s.compareForm) compare.restoreForm(s.compareForm)
    lab.intervalMs = s.intervalMs
    // Watchers run after this tick: they must not write back what was just read.
    queueMicrotask(() => (applying = false))
  }

  async function load(): Promise<void> {
    try {
      const state = await labConnection().api.getSettings()
      const mine = early
      early = {}
      apply({ ...state.settings, ...mine })
      if (state.notice) notice.value = state.notice
      loaded.value = true
      if (Object.keys(mine).length > 0) schedule(mine)
    } catch (err) {
      error.value = `Your settings could not be read: ${(err as LabError).message}`
    }
  }

  function save(patch: Partial<Settings>): void {
    if (applying) return
    // A choice made in the moment before the lab's answer (a theme picked while connecting) is kept, not overwritten.
    // The comparison form fills itself in from the lab on connect: only its later edits count.
    if (!loaded.value) {
      if (!('compareForm' in patch)) early = { ...early, ...patch }
      return
    }
    schedule(patch)
  }

  function schedule(patch: Partial<Settings>): void {
    pending = { ...pending, ...patch }
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => void flush(), SAVE_DELAY_MS)
  }

  async function flush(): Promise<void> {
    const patch = pending
    pending = {}
    timer = null
    if (Object.keys(patch).length === 0) return
    try {
      await labConnection().api.setSettings(patch)
      error.value = null
    } catch (err) {
      error.value = `Your settings could not be saved: ${(err as LabError).message}`
    }
  }

  async function reset(): Promise<void> {
    try {
      apply(await labConnection().api.resetSettings())
      notice.value = 'Settings are back to their defaults.'
    } catch (err) {
      error.value = `The settings could not be reset: ${(err as LabError).message}`
    }
  }

  function setTheme(choice: ThemeChoice): void {
    theme.value = choice
    applyThemeChoice(choice)
    save({ theme: choice })
  }

  function toggleColumn(column: OptionalColumn): void {
    const next = hiddenColumns.value.includes(column)
      ? hiddenColumns.value.filter((c) => c !== column)
      : [...hiddenColumns.value, column]
    hiddenColumns.value = next
    save({ hiddenColumns: next })
  }

  watch(
    () => units.scale,
    (cpuScale) => save({ cpuScale }),
  )
  watch(
    () => units.sort,
    (sort) => save({ sort: { ...sort } }),
  )
  watch(
    () => units.showEnded,
    (showEnded) => save({ showEnded }),
  )
  watch(
    () => view.current,
    (name) => save({ view: name }),
  )
  watch(
    () => compare.formValues,
    (form: CompareFormValues) => save({ compareForm: form }),
    { deep: true },
  )

  return {
    theme,
    hiddenColumns,
    notice,
    error,
    loaded,
    defaults: DEFAULT_SETTINGS,
    load,
    reset,
    setTheme,
    toggleColumn,
    flush,
  }
})
