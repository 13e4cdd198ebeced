// Every followed program of the lab: starts or attaches to them, refreshes their trees once per tick, ends or detaches them.
import { isFinal } from '../../../shared/model'
import type { TreeScanner } from '../sampling/tree'
import type { UnitDiscovery } from '../scheduler'
import { AttachedTree, type AttachSpec } from './attached-tree'
import { ProgramTree, type ProgramTreeDeps, type ProgramSpec } from './program-tree'

/** Ties programs to the lab's life: an owner tag per tree in its environment, and the supervisor following its root. */
export interface ProgramLifeline {
  env(subTag?: string): Record<string, string>
  own(pid: number): void
}

export class ProgramTracker implements UnitDiscovery {
  private readonly trees = new Set<ProgramTree>()
  /** Processes the lab attached to: followed, never signalled (nothing here can end them), never given to the lifeline. */
  private readonly attached = new Set<AttachedTree>()
  private next = 1

  constructor(
    private readonly deps: Omit<ProgramTreeDeps, 'scanner'>,
    /** One scanner per tree: each keeps its own cache of the PIDs it has seen. */
    private readonly createScanner: () => TreeScanner,
    private readonly lifeline?: ProgramLifeline,
  ) {}

  start(spec: ProgramSpec): ProgramTree {
    const scanner = this.createScanner()
    const env = this.lifeline?.env(`p${this.next++}`) ?? {}
    const tree = new ProgramTree({ ...this.deps, scanner }, { ...spec, env: { ...spec.env, ...env } })
    this.lifeline?.own(tree.host.pid)
    this.trees.add(tree)
    // A tree is followed until it has been stopped (the run's teardown does that even after a clean exit).
    void tree.host.exited.then(() => tree.refresh())
    return tree
  }

  /** Follows a running process the lab did not start; its first scan runs at once so threads show without a tick's wait. */
  attach(spec: AttachSpec): AttachedTree {
    const tree = new AttachedTree({ ...this.deps, scanner: this.createScanner() }, spec)
    this.attached.add(tree)
    void tree.ended.then(() => this.attached.delete(tree))
    void tree.refresh()
    return tree
  }

  /** The attached tree that follows `pid` as its root, if any. */
  attachedTo(pid: number): AttachedTree | undefined {
    return [...this.attached].find((t) => t.spec.pid === pid)
  }

  async discover(): Promise<void> {
    await Promise.all([...this.trees, ...this.attached].map((t) => t.refresh()))
  }

  /** Ends a program (the whole tree) from its root unit; false when the unit is not the root of a program the lab started. */
  kill(unitId: string): boolean {
    for (const t of this.trees) {
      if (t.rootId === unitId) {
        void t.stop()
        return true
      }
    }
    return false
  }

  /** Stops a tree and stops following it once every unit of it has ended. */
  async stop(tree: ProgramTree): Promise<void> {
    await tree.stop()
    if (tree.unitIds.every((id) => isFinal(this.deps.units.get(id)?.state ?? 'exited'))) {
      this.trees.delete(tree)
      tree.close()
    }
  }

  async close(): Promise<void> {
    for (const t of this.attached) t.detach()
    await Promise.all([...this.trees].map((t) => this.stop(t)))
  }
}
