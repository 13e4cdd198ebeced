// Pools outside a lab (benchmarks, tests, scripts): a private clock, outbox, unit table and spawner.
import { LabClock } from '../clock'
import { Outbox, UnitTable } from '../unit-table'
import { defaultHostFile } from '../units/host-file'
import { UnitSpawner } from '../units/spawner'
import type { PoolDeps } from './pool'

export interface StandalonePoolDeps extends PoolDeps {
  units: UnitTable
}

export function standalonePoolDeps(hostFile = defaultHostFile()): StandalonePoolDeps {
  const clock = new LabClock()
  const outbox = new Outbox()
  const units = new UnitTable(outbox)
  const mainUnitId = units.nextId()
  const spawner = new UnitSpawner({ clock, units, outbox, hostFile, selfReports: new Map(), mainUnitId })
  return { clock, outbox, units, spawner }
}
