// A process the lab did not start, followed like a watched program (descendants, every thread) and never signalled.
import type { LabClock } from '../clock'
import type { TreeScanner } from '../sampling/tree'
import type { Outbox, UnitTable } from '../unit-table'
import { TreeFollower } from './tree-follower'

export interface AttachedTreeDeps {
  clock: LabClock
  units: UnitTable
  outbox: Outbox
  scanner: TreeScanner
}

export interface AttachSpec {
  pid: number
  /** The process's start time (clock ticks since boot), checked on every scan so a reused PID is never followed. */
  startTime: number
  label: string
  command: string | null
  runId: string | null
}

/** How the watching ended: every process of the tree exited, or the person detached. */
export type AttachEnd = 'exited' | 'detached'

export const EXIT_CODE_UNKNOWN =
  'Its exit code is not knowable: only the parent that started a process can read it, and Parallel Lab did not start this one.'

/**
 * Observe-only on purpose: this module holds no code that sends a signal, and its units are marked `attached`, which
 * the lab's kill path refuses. Detaching ends the watching; the processes go on.
 */
export class AttachedTree {
  readonly rootId: string
  readonly ended: Promise<AttachEnd>
  private readonly follower: TreeFollower
  private rootAlive = true
  private finished = false
  private scanning: Promise<void> | null = null
  private resolveEnded!: (how: AttachEnd) => void

  constructor(
    private readonly deps: AttachedTreeDeps,
    readonly spec: AttachSpec,
  ) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve))
    this.rootId = deps.units.nextId()
    this.follower = new TreeFollower(deps, { pid: spec.pid, unitId: this.rootId }, spec.runId, true)
    // Top level: the process is not the lab's child.
    deps.units.add(
      this.follower.unit(
        this.rootId,
        'program',
        spec.pid,
        null,
        null,
        spec.label,
        false,
        spec.command,
        deps.clock.now(),
      ),
    )
    deps.outbox.events.push({
      type: 'mark',
      t: deps.clock.now(),
      runId: spec.runId,
      text: `attached to ${spec.label} (pid ${spec.pid})`,
    })
  }

  get unitIds(): string[] {
    return this.follower.unitIds
  }

  get done(): boolean {
    return this.finished
  }

  refresh(): Promise<void> {
    if (this.finished) return Promise.resolve()
    this.scanning ??= this.scanOnce().finally(() => (this.scanning = null))
    return this.scanning
  }

  /** Stops watching: every unit of the tree ends as `detached`; no process is touched. */
  detach(): void {
    if (this.finished) return
    this.follower.endAll('detached')
    this.deps.outbox.events.push({
      type: 'mark',
      t: this.deps.clock.now(),
      runId: this.spec.runId,
      text: `detached from pid ${this.spec.pid}; it keeps running`,
    })
    this.finish('detached')
  }

  private async scanOnce(): Promise<void> {
    // The root is scanned as a member (PID and start time), never as a bare PID: after it exits its number may be reused.
    const members = this.follower.memberStarts(this.rootAlive ? this.spec : undefined)
    const scan = await this.deps.scanner.scan(-1, members)
    if (this.finished) return
    this.follower.apply(scan, 'exited')
    if (this.rootAlive && !scan.processes.some((p) => p.pid === this.spec.pid)) {
      this.rootAlive = false
      const { units, clock, outbox } = this.deps
      units.setState(this.rootId, 'exited', clock.now())
      outbox.logs.push({
        t: clock.now(),
        unit: this.rootId,
        runId: this.spec.runId,
        text: `${this.spec.label} (pid ${this.spec.pid}) exited. ${EXIT_CODE_UNKNOWN}`,
        stream: 'out',
      })
    }
    if (!this.rootAlive && this.follower.members.size === 0) this.finish('exited')
  }

  private finish(how: AttachEnd): void {
    this.finished = true
    this.deps.scanner.close()
    this.resolveEnded(how)
  }
}
