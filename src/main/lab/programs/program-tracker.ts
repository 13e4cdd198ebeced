// Every watched program of the lab: starts them, refreshes their trees once per tick, and ends them whole.
import { isFinal } from '../../../shared/model'
import type { TreeScanner } from '../sampling/tree'
import type { UnitDiscovery } from '../scheduler'
import { ProgramTree, type ProgramTreeDeps, type ProgramSpec } from './program-tree'

/** Ties programs to the lab's life: an owner tag per tree in its environment, and the supervisor following its root. */
export interface ProgramLifeline {
  env(subTag?: string): Record<string, string>
  own(pid: number): void
}

export class ProgramTracker implements UnitDiscovery {
  private readonly trees = new Set<ProgramTree>()
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

  async discover(): Promise<void> {
    await Promise.all([...this.trees].map((t) => t.refresh()))
  }

  /** Ends a program (the whole tree) from its root unit; false when the unit is not a program root. */
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
    await Promise.all([...this.trees].map((t) => this.stop(t)))
  }
}
