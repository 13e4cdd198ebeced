// Spawns units and keeps the unit table true to them: identity on hello, logs, heap, and the final state on exit.
import { EventEmitter } from 'node:events'
import type { LabClock } from '../clock'
import type { Outbox, UnitTable } from '../unit-table'
import type { FromHost, Mode } from './protocol'
import { UnitHost, type ExitInfo } from './unit-host'
import type { SelfReport } from '../sampling/sampler'

export interface SpawnerDeps {
  clock: LabClock
  units: UnitTable
  outbox: Outbox
  hostFile: string
  /** The built scenario module units find their code in; null: units know only the pool's own tasks. */
  scenarioFile: string | null
  /** What thread units report about themselves (heap, own CPU time), read by the sampler. */
  selfReports: Map<string, SelfReport>
  mainUnitId: string
  /** Ties child units to the lab's life (owner tag, supervisor, records); absent for standalone pools. */
  lifeline?: { env(): Record<string, string>; own(pid: number): void; gone(pid: number): void }
}

export interface LiveUnitEvents {
  message: [FromHost]
  exit: [ExitInfo]
}

/** A spawned unit: its table id, its host, and the messages the generic layer does not consume. */
export class LiveUnit extends EventEmitter<LiveUnitEvents> {
  /** Resolves once the unit's start is settled: it said hello (its pid and tid are known), or exited before it could. */
  readonly startSettled: Promise<void>
  private failure: string | null = null
  private _isReady = false
  private resolveStart!: () => void

  constructor(
    readonly id: string,
    readonly host: UnitHost,
  ) {
    super()
    this.startSettled = new Promise((resolve) => (this.resolveStart = resolve))
  }

  get isReady(): boolean {
    return this._isReady
  }

  settleStart(): void {
    this._isReady = this.host.alive
    this.resolveStart()
  }

  /** The reason to show if the unit then exits non-zero. */
  fail(reason: string): void {
    this.failure ??= reason
  }

  get failureReason(): string | null {
    return this.failure
  }
}

export function exitState(
  info: ExitInfo,
  failure: string | null,
): { state: 'exited' | 'crashed' | 'killed'; error: string | null } {
  if (info.signal || (info.killedByLab && !failure)) return { state: 'killed', error: null }
  const error = failure ?? info.error
  if (error || (info.code !== null && info.code !== 0)) {
    return { state: 'crashed', error: error ?? `exited with code ${info.code}` }
  }
  return { state: 'exited', error: null }
}

export class UnitSpawner {
  private readonly live = new Map<string, LiveUnit>()

  constructor(private readonly deps: SpawnerDeps) {}

  /** The table this spawner keeps true (identity of the units it started). */
  get units(): UnitTable {
    return this.deps.units
  }

  /** Ends a unit this spawner started. The lab never signals a pid it did not spawn. */
  kill(id: string): boolean {
    const unit = this.live.get(id)
    unit?.host.kill()
    return unit !== undefined
  }

  /** Every unit still running (for shutdown). */
  liveUnits(): LiveUnit[] {
    return [...this.live.values()]
  }

  spawn(opts: { mode: Mode; label: string; runId: string | null }): LiveUnit {
    const { clock, units, outbox, selfReports } = this.deps
    const host = new UnitHost(
      opts.mode,
      this.deps.hostFile,
      this.deps.scenarioFile,
      opts.mode === 'process' ? this.deps.lifeline?.env() : undefined,
    )
    if (opts.mode === 'process') this.deps.lifeline?.own(host.pid)
    const id = units.nextId()
    units.add({
      id,
      kind: opts.mode,
      pid: host.pid,
      tid: null,
      parent: this.deps.mainUnitId,
      label: opts.label,
      runId: opts.runId,
      createdAt: clock.now(),
      endedAt: null,
      spawned: true,
      state: 'starting',
      exitCode: null,
      signal: null,
      error: null,
      command: null,
    })
    const unit = new LiveUnit(id, host)
    this.live.set(id, unit)
    const log = (text: string, stream: 'out' | 'err', t = clock.now()): void => {
      outbox.logs.push({ t, unit: id, runId: opts.runId, text, stream })
      // From its first line on, a unit that prints holds back later-stamped lines of its run until it is heard past them.
      if (!following) {
        following = true
        outbox.follow(id, opts.runId, t)
      }
    }
    let following = false

    host.on('message', (msg) => {
      if ('at' in msg && typeof msg.at === 'number') outbox.heard(id, clock.fromAbs(msg.at))
      switch (msg.t) {
        case 'hello':
          units.update(id, { pid: msg.pid, tid: msg.tid })
          units.setState(id, 'running', clock.fromAbs(msg.at))
          unit.settleStart()
          break
        case 'log':
          log(msg.text, msg.stream, clock.fromAbs(msg.at))
          break
        case 'state':
          units.setState(id, msg.state, clock.fromAbs(msg.at))
          break
        case 'self':
          selfReports.set(id, {
            heap: msg.heapBytes,
            cpu: { seconds: msg.cpuMs / 1000, at: msg.at / 1000, source: msg.cpuSource },
          })
          break
        case 'flush':
          break
        default:
          unit.emit('message', msg)
      }
    })
    host.on('output', (line, stream) => log(line, stream))
    host.on('exit', (info) => {
      const { state, error } = exitState(info, unit.failureReason)
      units.update(id, { exitCode: info.code, signal: info.signal, error })
      units.setState(id, state, clock.now())
      selfReports.delete(id)
      outbox.forget(id)
      this.live.delete(id)
      if (opts.mode === 'process') this.deps.lifeline?.gone(host.pid)
      unit.settleStart()
      unit.emit('exit', info)
    })
    return unit
  }
}
