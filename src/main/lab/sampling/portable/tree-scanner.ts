// Portable tree scanner (macOS, Windows): descendants through pidtree, identity through pidusage. Threads are not visible.
import pidtree from 'pidtree'
import pidusage from 'pidusage'
import type { TreeProcess, TreeScan, TreeScanner } from '../tree'

/** pidusage gives start time only as `timestamp - elapsed` (ms); readings of one process agree within this. */
const START_SLACK_MS = 1000

async function startTimeOf(pid: number): Promise<number | null> {
  try {
    const s = await pidusage(pid)
    return Math.round(s.timestamp - s.elapsed)
  } catch {
    return null
  }
}

export class PidtreeScanner implements TreeScanner {
  readonly name = 'pidtree'
  readonly threadsVisible = false

  async scan(root: number, members: ReadonlyMap<number, number>): Promise<TreeScan> {
    // root < 0: the root has exited; only the members found before are checked (pidtree(-1) would list every process).
    const rootStart = root < 0 ? null : (members.get(root) ?? (await startTimeOf(root)))
    const parents = new Map<number, number>()
    if (rootStart !== null) {
      try {
        for (const { pid, ppid } of await pidtree(root, { advanced: true })) parents.set(pid, ppid)
      } catch {
        // The root is gone; members found before may still be running.
      }
    }
    const unknown = { pgrp: -1, cmdline: '', name: '', cpuMs: null, childCpuMs: null }
    const processes: TreeProcess[] =
      rootStart === null ? [] : [{ ...unknown, pid: root, ppid: -1, startTime: rootStart }]
    const seen = new Set([root])
    for (const pid of [...parents.keys(), ...members.keys()]) {
      if (seen.has(pid)) continue
      seen.add(pid)
      const known = members.get(pid)
      const start = await startTimeOf(pid)
      if (start === null || (known !== undefined && Math.abs(known - start) > START_SLACK_MS)) continue
      processes.push({ ...unknown, pid, ppid: parents.get(pid) ?? -1, startTime: known ?? start })
    }
    return { processes, threads: [], shortLived: [] }
  }

  scanNow(): null {
    return null
  }

  readThreadName(): null {
    return null
  }

  async verify(pid: number, startTime: number): Promise<{ pgrp: number } | null> {
    const start = await startTimeOf(pid)
    return start !== null && Math.abs(start - startTime) <= START_SLACK_MS ? { pgrp: -1 } : null
  }

  close(): void {}
}
