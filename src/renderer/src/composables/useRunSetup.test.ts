// The one run set-up of the Scenarios and Programs views: the lab's field errors land on the form for both, the newest
// run is the one shown, and the live lock acts on it.
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { ref } from 'vue'
import type { ScenarioInfo } from '../../../shared/contract'
import { LabError } from '../../../shared/contract'
import type { RunInfo } from '../../../shared/model'
import { useRunsStore } from '../stores/runs'
import { useRunSetup } from './useRunSetup'

const api = { start: vi.fn(), stop: vi.fn(), setLock: vi.fn() }
vi.mock('../api', () => ({ labConnection: () => ({ api }) }))

const info = (id: string, scenario: string, patch: Partial<RunInfo> = {}): RunInfo => ({
  id,
  scenario,
  params: {},
  startedAt: Number(id.slice(1)),
  endedAt: null,
  status: 'running',
  lock: false,
  poolSize: null,
  result: null,
  error: null,
  ...patch,
})

const entry = (id: string, runtime: ScenarioInfo['runtime']): ScenarioInfo => ({
  id,
  title: id,
  section: 's',
  summary: '',
  runtime,
  available: true,
  reason: null,
  params: [
    { key: 'workers', label: 'Workers', type: 'int', min: 1, max: 16, default: 2 },
    { key: 'lock', label: 'Lock', type: 'bool', default: false, live: true },
  ],
})

beforeEach(() => {
  setActivePinia(createPinia())
  vi.resetAllMocks()
})

describe.each([
  ['counters', 'node', 'run'],
  ['py-counters', 'python', 'program'],
] as const)('useRunSetup for %s', (id, runtime, noun) => {
  it("maps the lab's field errors onto the form, and other errors to one sentence", async () => {
    const setup = useRunSetup({ scenario: ref(entry(id, runtime)), noun })
    api.start.mockRejectedValueOnce(
      LabError.invalid([{ field: 'workers', message: 'workers must be at most 4 here.' }]),
    )
    await setup.start()
    expect(setup.fieldErrors.value).toEqual([{ field: 'workers', message: 'workers must be at most 4 here.' }])
    expect(setup.commandError.value).toBeNull()
    // Editing the field clears the lab's error on it.
    await setup.onChange('workers', '3')
    expect(setup.fieldErrors.value).toEqual([])
    api.start.mockRejectedValueOnce(new LabError('conflict', 'python3 was not found.', 'scenario'))
    await setup.start()
    expect(setup.commandError.value).toBe(`The ${noun} could not start: python3 was not found.`)
    expect(api.start).toHaveBeenLastCalledWith({ scenario: id, params: { workers: 3, lock: false } })
  })

  it('shows the newest run of the chosen scenario and switches its lock live', async () => {
    const scenario = ref<ScenarioInfo | null>(entry(id, runtime))
    const setup = useRunSetup({ scenario, noun })
    const runs = useRunsStore()
    api.start.mockResolvedValueOnce(info('r1', id)).mockResolvedValueOnce(info('r2', id))
    await setup.start()
    await setup.start()
    expect(setup.run.value?.info.id).toBe('r2')
    expect(runs.newestRun(id)?.info.id).toBe('r2')
    api.setLock.mockResolvedValueOnce(info('r2', id, { lock: true }))
    await setup.onChange('lock', true)
    expect(api.setLock).toHaveBeenCalledWith({ runId: 'r2', on: true })
    expect(setup.run.value?.info.lock).toBe(true)
    scenario.value = entry('other', runtime)
    expect(setup.run.value).toBeNull()
  })
})
