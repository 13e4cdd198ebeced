// Pools outside a lab (benchmarks, tests, scripts): a private clock, outbox, unit table and spawner.
import { LabClock } from '../clock'
import { Outbox, UnitTable } from '../unit-table'
import { defaultHostFile } from '../units/host-file'
import { UnitSpawner } from '../units/spawner'
import type { PoolDeps } from './pool'

export interface StandalonePoolDeps extends PoolDeps {
  units: UnitTable
}

/** `scenarioFile`: the module whose scenario tasks the workers may run; by default only the pool's own tasks. */
export function standalonePoolDeps(hostFile = defaultHostFile(), scenarioFile: string | null = null): StandalonePoolDeps {
  const clock = new LabClock()
  const outbox = new Outbox()
  const units = new UnitTable(outbox)
  const mainUnitId = units.nextId()
  const spawner = new UnitSpawner({ clock, units, outbox, hostFile, scenarioFile, selfReports: new Map(), mainUnitId })
  return { clock, outbox, units, spawner }
}
