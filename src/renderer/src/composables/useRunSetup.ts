// The set-up of a run, shared by the Scenarios and Programs views: the form's values per scenario, its validation, the
// lab's field errors mapped onto the form, Start / Stop, the live lock, and the newest run of the chosen scenario.
import { storeToRefs } from 'pinia'
import { computed, ref, watch, type ComputedRef, type Ref } from 'vue'
import type { LabError, ScenarioInfo } from '../../../shared/contract'
import type { FieldError, ParamValues, Validation } from '../../../shared/params'
import { defaults, validateParams } from '../../../shared/params'
import { useRunsStore, type RunRecord } from '../stores/runs'

export interface RunSetupOptions {
  /** The chosen scenario or program. */
  scenario: Ref<ScenarioInfo | null>
  /** What failed, for the messages: "The run could not start" or "The program could not start". */
  noun: string
}

export interface RunSetup {
  scenario: Ref<ScenarioInfo | null>
  /** The newest run of the chosen scenario. */
  run: ComputedRef<RunRecord | null>
  running: ComputedRef<boolean>
  /** The form as typed (raw), per scenario. */
  values: ComputedRef<Record<string, unknown>>
  validation: ComputedRef<Validation<ParamValues> | null>
  /** The form's own errors, then those the lab returned for fields the form has. */
  fieldErrors: ComputedRef<FieldError[]>
  /** The last command's failure not tied to a field. */
  commandError: Ref<string | null>
  busy: Ref<boolean>
  onChange(key: string, value: unknown): Promise<void>
  start(): Promise<void>
  stop(): Promise<void>
}

export function useRunSetup(opts: RunSetupOptions): RunSetup {
  const runs = useRunsStore()
  const { forms } = storeToRefs(runs)
  const { scenario, noun } = opts

  const run = computed(() => runs.newestRun(scenario.value?.id))
  const running = computed(() => run.value?.info.status === 'running')
  const values = computed<Record<string, unknown>>(() => {
    const s = scenario.value
    return s ? (forms.value[s.id] ?? defaults(s.params)) : {}
  })
  const validation = computed(() => (scenario.value ? validateParams(scenario.value.params, values.value) : null))
  const labErrors = ref<FieldError[]>([])
  const commandError = ref<string | null>(null)
  const busy = ref(false)
  const fieldErrors = computed<FieldError[]>(() => {
    const local = validation.value && !validation.value.ok ? validation.value.errors : []
    return [...local, ...labErrors.value.filter((e) => !local.some((l) => l.field === e.field))]
  })

  watch(
    () => scenario.value?.id,
    () => {
      labErrors.value = []
      commandError.value = null
    },
  )

  /** The lab's errors on fields of the form go beside them; any other shows as one sentence. */
  function showError(err: unknown, what: string): void {
    const e = err as LabError
    const known = new Set(scenario.value?.params.map((p) => p.key) ?? [])
    labErrors.value = (e.errors ?? (e.field ? [{ field: e.field, message: e.message }] : [])).filter((f) =>
      known.has(f.field),
    )
    commandError.value = labErrors.value.length ? null : `${what}: ${e.message}`
  }

  async function act(fn: () => Promise<unknown>, what: string): Promise<void> {
    busy.value = true
    try {
      await fn()
      labErrors.value = []
      commandError.value = null
    } catch (err) {
      showError(err, what)
    } finally {
      busy.value = false
    }
  }

  async function onChange(key: string, value: unknown): Promise<void> {
    const s = scenario.value
    if (!s) return
    forms.value[s.id] = { ...values.value, [key]: value }
    labErrors.value = labErrors.value.filter((e) => e.field !== key)
    const spec = s.params.find((p) => p.key === key)
    // A live switch acts on the running run at once (a Python program gets it on its stdin).
    const current = run.value
    if (spec?.type === 'bool' && spec.live && key === 'lock' && current && running.value) {
      await act(() => runs.setLock(current.info.id, value === true), 'The lock could not be switched')
    }
  }

  async function start(): Promise<void> {
    const s = scenario.value
    const v = validation.value
    if (s && v?.ok) await act(() => runs.start(s.id, v.value), `The ${noun} could not start`)
  }

  async function stop(): Promise<void> {
    const current = run.value
    if (current) await act(() => runs.stop(current.info.id), `The ${noun} could not be stopped`)
  }

  return { scenario, run, running, values, validation, fieldErrors, commandError, busy, onChange, start, stop }
}
