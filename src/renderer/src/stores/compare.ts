// The Compare view's state: the form, the running comparison's progress, its result, and the exports.
import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef } from 'vue'
import { toCsv, toJson, toTrace } from '../../../shared/compare/export'
import type {
  CompareProgress,
  CompareRequest,
  CompareResult,
  StrategyId,
  WorkloadId,
} from '../../../shared/compare/types'
import { STRATEGIES, validateCompareRequest, WORKLOADS } from '../../../shared/compare/types'
import type { CompareFormValues } from '../../../shared/settings'
import type { LabError } from '../../../shared/contract'
import { labConnection } from '../api'

export const SIZE_CHOICES = [1, 2, 4, 8] as const

export const useCompareStore = defineStore('compare', () => {
  const workload = ref<WorkloadId>('cpu')
  const strategies = ref<StrategyId[]>(['seq', 'thread', 'process', 'piscina'])
  const sizes = ref<number[]>([1, 2])
  const tasks = ref(24)
  const repeat = ref(2)
  const taskMs = ref(20)

  const running = ref(false)
  const progress = ref<CompareProgress | null>(null)
  const result = shallowRef<CompareResult | null>(null)
  const error = ref<string | null>(null)

  const request = computed<CompareRequest>(() => ({
    workload: workload.value,
    strategies: strategies.value,
    sizes: sizes.value,
    tasks: Number(tasks.value),
    repeat: Number(repeat.value),
    params: workload.value === 'trivial' || workload.value === 'payload' ? {} : { taskMs: Number(taskMs.value) },
  }))
  const validation = computed(() => validateCompareRequest(request.value))

  /** The form as it stands, for the settings (the next launch opens it so). */
  const formValues = computed<CompareFormValues>(() => ({
    workload: workload.value,
    strategies: [...strategies.value],
    sizes: [...sizes.value],
    tasks: Number(tasks.value),
    repeat: Number(repeat.value),
    taskMs: Number(taskMs.value),
  }))

  /** Puts remembered values back; names this version does not know are left out. */
  function restoreForm(v: CompareFormValues): void {
    if ((WORKLOADS as readonly string[]).includes(v.workload)) workload.value = v.workload as WorkloadId
    strategies.value = v.strategies.filter((s): s is StrategyId => (STRATEGIES as readonly string[]).includes(s))
    sizes.value = v.sizes.filter((n) => Number.isInteger(n) && n > 0)
    tasks.value = v.tasks
    repeat.value = v.repeat
    taskMs.value = v.taskMs
  }

  /** Longest wall time among the Gantts: every Gantt uses it, so their time axes line up. */
  const spanMs = computed(() => Math.max(1, ...(result.value?.traces ?? []).map((t) => t.wallMs)))

  let unsubscribe: (() => void) | null = null

  async function run(): Promise<void> {
    const v = validation.value
    if (!v.ok || running.value) return
    const api = labConnection().api
    running.value = true
    error.value = null
    progress.value = null
    // One progress event per strategy run, pushed over whichever transport the app uses.
    unsubscribe = api.onCompareProgress((p) => {
      if (running.value) progress.value = p
    })
    try {
      const r = await api.compare(v.value)
      result.value = markRaw(r)
      const total = (progress.value as CompareProgress | null)?.total ?? r.runs.length
      progress.value = {
        id: r.id,
        done: r.runs.length,
        total,
        strategy: null,
        size: null,
        repeat: null,
        phase: r.cancelled ? 'cancelled' : 'done',
      }
    } catch (err) {
      error.value = (err as LabError).message
    } finally {
      unsubscribe?.()
      unsubscribe = null
      running.value = false
    }
  }

  async function cancel(): Promise<void> {
    try {
      await labConnection().api.cancelCompare()
    } catch (err) {
      error.value = (err as LabError).message
    }
  }

  function download(name: string, text: string, type: string): void {
    const url = URL.createObjectURL(new Blob([text], { type }))
    const a = document.createElement('a')
    a.href = url
    a.download = name
    a.click()
    setTimeout(() => URL.revokeObjectURL(url), 1000)
  }

  function exportAs(kind: 'json' | 'csv' | 'trace'): void {
    const r = result.value
    if (!r) return
    const base = `compare-${r.request.workload}-${r.startedAt.slice(0, 19).replace(/[:T]/g, '-')}`
    if (kind === 'json') download(`${base}.json`, toJson(r), 'application/json')
    else if (kind === 'csv') download(`${base}.csv`, toCsv(r), 'text/csv')
    else download(`${base}.trace.json`, JSON.stringify(toTrace(r)), 'application/json')
  }

  return {
    workload,
    strategies,
    sizes,
    tasks,
    repeat,
    taskMs,
    running,
    progress,
    result,
    error,
    request,
    validation,
    formValues,
    restoreForm,
    spanMs,
    run,
    cancel,
    exportAs,
  }
})
