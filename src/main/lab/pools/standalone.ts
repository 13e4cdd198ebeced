// Pools outside a lab (benchmarks, tests, anyone's scripts): a private clock, outbox, unit table and spawner.
import type { LabEvent, LogLine } from '../../../shared/model'
import { LabClock } from '../clock'
import { Outbox, UnitTable } from '../unit-table'
import { defaultHostFile } from '../units/host-file'
import { UnitSpawner } from '../units/spawner'
import type { PoolDeps } from './pool'

export interface StandalonePoolDeps extends PoolDeps {
  units: UnitTable
}

/** `scenarioFile`: the module whose scenario tasks the workers may run; by default only the pool's own tasks. */
export function standalonePoolDeps(
  hostFile = defaultHostFile(),
  scenarioFile: string | null = null,
  outbox = new Outbox(),
): StandalonePoolDeps {
  const clock = new LabClock()
  const units = new UnitTable(outbox)
  const mainUnitId = units.nextId()
  const spawner = new UnitSpawner({ clock, units, outbox, hostFile, scenarioFile, selfReports: new Map(), mainUnitId })
  return { clock, outbox, units, spawner }
}

/** Lines go where a program's own would: workers' output to stdout / stderr, a failed callback to stderr. */
class PrintedLines extends Array<LogLine> {
  override push(...lines: LogLine[]): number {
    for (const l of lines) (l.stream === 'err' ? process.stderr : process.stdout).write(`${l.text}\n`)
    return 0
  }
}

/** Nobody drains a user's pool between ticks: events are not kept. */
class DroppedEvents extends Array<LabEvent> {
  override push(): number {
    return 0
  }
}

/** An outbox for a pool in anyone's program: it prints log lines and keeps nothing. */
class PrintingOutbox extends Outbox {
  override logs: LogLine[] = new PrintedLines()
  override events: LabEvent[] = new DroppedEvents()
  override drain(): ReturnType<Outbox['drain']> {
    return { logs: [], events: [], transient: { processes: 0, cpuMs: 0, parents: [] } }
  }
}

export function userPoolDeps(): StandalonePoolDeps {
  return standalonePoolDeps(defaultHostFile(), null, new PrintingOutbox())
}
