// Programs: the catalog entries that run an external program (Python scenarios, the user's own), the chosen one and its newest run.
import { defineStore, storeToRefs } from 'pinia'
import { computed, ref } from 'vue'
import type { ScenarioInfo } from '../../../shared/contract'
import type { Sample, Unit } from '../../../shared/model'
import { isFinal } from '../../../shared/model'
import { labConnection } from '../api'
import { useRunsStore } from './runs'
import { useUnitsStore } from './units'

/** One process of a program's tree, with the CPU its threads use together (what the GIL caps at about one core). */
export interface ProcessLoad {
  unit: Unit
  /** Live threads of this process. */
  threads: number
  /** Sum of its threads' CPU% (null while they warm up); the process's own reading where threads are not visible. */
  cpu: number | null
  /** True once the run has ended: `cpu` is then the mean over the run (from its summary), so the lesson stays. */
  mean?: boolean
}

export const useProgramsStore = defineStore('programs', () => {
  const runs = useRunsStore()
  const { scenarios } = storeToRefs(runs)
  const unitsStore = useUnitsStore()
  const { version } = storeToRefs(unitsStore)

  const selectedId = ref<string | null>(null)

  const programs = computed(() => scenarios.value.filter((s) => s.runtime !== 'node'))
  const groups = computed(() => [
    { title: 'Python scenarios', items: programs.value.filter((s) => s.runtime === 'python') },
    { title: 'My programs', items: programs.value.filter((s) => s.runtime === 'program') },
  ])
  const selected = computed<ScenarioInfo | null>(
    () =>
      programs.value.find((s) => s.id === selectedId.value) ??
      programs.value.find((s) => s.available) ??
      programs.value[0] ??
      null,
  )

  /**
   * Every live process of the chosen program's newest run with the summed CPU of its threads; once the run has ended,
   * every process it had with its threads' mean CPU over the run, so "CPU by process" stays with the result.
   */
  const processes = computed<ProcessLoad[]>(() => {
    void version.value
    const run = runs.newestRun(selected.value?.id)
    const runId = run?.info.id
    if (!runId) return []
    if (run.info.status !== 'running' && run.summary) {
      const mean = new Map(run.summary.units.map((u) => [u.id, u.meanCpu]))
      const all = unitsStore.unitsOfRun(runId)
      return all
        .filter((u) => u.kind === 'program')
        .map((p) => {
          const threads = all.filter((t) => t.kind === 'thread' && t.parent === p.id)
          const readings = (threads.length ? threads : [p])
            .map((t) => mean.get(t.id) ?? null)
            .filter((c): c is number => c !== null)
          return {
            unit: p,
            threads: threads.length,
            cpu: readings.length ? readings.reduce((a, b) => a + b, 0) : null,
            mean: true,
          }
        })
    }
    const units = unitsStore.unitsOfRun(runId).filter((u) => !isFinal(u.state))
    const cpu = (u: Unit): number | null => (unitsStore.latest.get(u.id) as Sample | undefined)?.cpu ?? null
    return units
      .filter((u) => u.kind === 'program')
      .map((p) => {
        const threads = units.filter((t) => t.kind === 'thread' && t.parent === p.id)
        const readings = threads.map(cpu).filter((c): c is number => c !== null)
        const sum = threads.length === 0 ? cpu(p) : readings.length ? readings.reduce((a, b) => a + b, 0) : null
        return { unit: p, threads: threads.length, cpu: sum }
      })
  })

  /** The desktop app's Open dialog: the chosen file joins "My programs" and is selected. Rejects with a sentence. */
  async function openProgram(): Promise<void> {
    const added = await labConnection().api.openProgram()
    if (!added) return
    await runs.loadCatalog()
    selectedId.value = added.id
  }

  return { selectedId, programs, groups, selected, processes, openProgram }
})
