// Portable collector for processes (macOS, Windows, Linux fallback). Threads are not visible to it.
import pidusage from 'pidusage'
import type { Collector, RawSample, SampleTarget } from '../collector'

export class PidusageCollector implements Collector {
  readonly name = 'pidusage'
  readonly timeSplit = false

  async collect(targets: readonly SampleTarget[]): Promise<Map<string, RawSample>> {
    const out = new Map<string, RawSample>()
    const procs = targets.filter((t) => t.tid === null)
    if (procs.length === 0) return out
    const pids = [...new Set(procs.map((t) => t.pid))]
    let stats: Record<string, pidusage.Status | undefined>
    try {
      stats = (await pidusage(pids)) as unknown as Record<string, pidusage.Status | undefined>
    } catch {
      // One vanished pid fails the batch: fall back to asking one by one.
      stats = {}
      await Promise.all(
        pids.map(async (pid) => {
          stats[pid] = await pidusage(pid).catch(() => undefined)
        }),
      )
    }
    for (const t of procs) {
      const s = stats[t.pid]
      if (s) out.set(t.id, { cpuSeconds: s.ctime / 1000, rss: s.memory })
    }
    return out
  }

  readonly probing = false

  probe(): void {}

  close(): void {
    pidusage.clear()
  }
}
