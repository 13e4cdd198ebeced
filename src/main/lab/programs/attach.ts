// Attaching to running processes: the machine's list for the picker, the checks a PID must pass, and the run that follows them.
import { LabError } from '../../../shared/contract'
import { echo } from '../../../shared/bounds'
import type { ProcessListing, RunInfo } from '../../../shared/model'
import type { ScenarioDefinition } from '../scenario-api'
import { descendsFrom, ProcessLister, readCommandLine, readProcessIdentity } from '../sampling/linux/process-list'
import type { Platform } from '../sampling/platform'
import type { UnitTable } from '../unit-table'
import { EXIT_CODE_UNKNOWN } from './attached-tree'
import type { ProgramTracker } from './program-tracker'

export interface AttachTarget {
  pid: number
  startTime: number
  name: string
  command: string | null
}

export interface AttacherDeps {
  units: UnitTable
  programs: ProgramTracker
  platform: Platform
  /** Starts a run of the lab for `def` (the lab's own runs table, so Stop / Detach and summaries work as for any run). */
  startRun(def: ScenarioDefinition): RunInfo
}

export class Attacher {
  private lister: ProcessLister | null = null

  constructor(private readonly deps: AttacherDeps) {}

  /** Every process on the machine, for the attach picker (CPU % since the previous listing). */
  async listProcesses(): Promise<ProcessListing> {
    const { platform } = this.deps
    if (platform.name !== 'procfs') {
      // Elsewhere the platform gives PIDs, parents and start times only (pidtree + pidusage).
      const processes = (await platform.listProcesses()).map((p) => ({
        pid: p.pid,
        ppid: p.ppid,
        user: '',
        name: p.name,
        command: p.cmdline,
        state: null,
        cpu: null,
        rss: null,
        threads: null,
        startTime: p.startTime,
        readable: true,
        reason: null,
      }))
      return {
        processes,
        note: `On ${process.platform} the list shows PIDs only, and attaching needs Linux's /proc: names, users, CPU and memory are read from there.`,
      }
    }
    this.lister ??= new ProcessLister()
    return this.lister.list()
  }

  /** Checks that `pid` names a running process the lab may watch (not itself, not its own, not watched yet). */
  check(pid: number, startTime?: number): AttachTarget {
    if (!Number.isInteger(pid) || pid <= 0)
      throw new LabError('invalid', `pid must be a whole number above 0 (got ${echo(pid)}).`, 'pid')
    // Following a process the lab did not start relies on start times and parents read from /proc.
    if (this.deps.platform.name !== 'procfs')
      throw new LabError(
        'conflict',
        `Attaching to a running process needs Linux's /proc; it is not available on ${process.platform} yet.`,
        'pid',
      )
    const found = readProcessIdentity(pid)
    if (!found) {
      throw new LabError(
        'not-found',
        startTime !== undefined
          ? `PID ${pid} has exited since it was listed: there is nothing to attach to.`
          : `There is no process with PID ${pid} (or this system hides it from the lab).`,
        'pid',
      )
    }
    if (startTime !== undefined && found.startTime !== startTime) {
      throw new LabError(
        'conflict',
        `PID ${pid} now belongs to another process (${found.name}): the one that was picked has exited and its PID was reused. Pick it again from a fresh list.`,
        'pid',
      )
    }
    if (found.zombie)
      throw new LabError(
        'conflict',
        `PID ${pid} (${found.name}) has already exited: it is a zombie waiting for its parent to collect it.`,
        'pid',
      )
    if (pid === process.pid)
      throw new LabError('conflict', `PID ${pid} is Parallel Lab itself; it is always shown as "lab (main)".`, 'pid')
    // What the lab started (and what descends from it) is the lab's already, ended with its run: never attached to.
    const ours = this.deps.units
      .live()
      .find(
        (u) =>
          u.kind !== 'thread' && !u.attached && u.pid > 0 && (u.pid === pid || (u.spawned && descendsFrom(pid, u.pid))),
      )
    if (ours)
      throw new LabError(
        'conflict',
        `PID ${pid} (${found.name}) was started by Parallel Lab: it is already in the Monitor as "${ours.label}".`,
        'pid',
      )
    if (this.deps.programs.attachedTo(pid))
      throw new LabError('conflict', `The lab is already attached to PID ${pid} (${found.name}).`, 'pid')
    return { pid, startTime: found.startTime, name: found.name, command: readCommandLine(pid) || null }
  }

  /** One run that follows every target: it ends when all have exited; stopping it detaches them. */
  attach(targets: readonly AttachTarget[]): { run: RunInfo; rootIds: string[] } {
    const rootIds: string[] = []
    const programs = this.deps.programs
    const def: ScenarioDefinition = {
      id: 'attach',
      title: `attach ${targets.map((t) => t.pid).join(', ')}`,
      section: 'Programs',
      summary: targets.map((t) => t.command ?? t.name).join('; '),
      params: [],
      runtime: 'program',
      async run(ctx) {
        const trees = targets.map((t) =>
          programs.attach({
            pid: t.pid,
            startTime: t.startTime,
            label: `${t.name} (attached)`,
            command: t.command,
            runId: ctx.runId,
          }),
        )
        rootIds.push(...trees.map((t) => t.rootId))
        ctx.signal.addEventListener('abort', () => trees.forEach((t) => t.detach()), { once: true })
        const ends = await Promise.all(trees.map((t) => t.ended))
        const attached = targets.map((t, i) => ({ pid: t.pid, ended: ends[i], exitCode: null }))
        const exited = ends.every((e) => e === 'exited')
        return {
          pid: targets[0].pid,
          exitCode: null,
          signal: null,
          ended: exited ? 'exited' : 'detached',
          attached,
          note: exited ? EXIT_CODE_UNKNOWN : 'Detached: the process was left running.',
        }
      },
    }
    // run() attaches synchronously, so the root units exist when startRun returns.
    return { run: this.deps.startRun(def), rootIds }
  }
}
