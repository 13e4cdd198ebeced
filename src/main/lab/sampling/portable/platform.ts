// The portable platform (macOS, Windows, Linux without /proc): pidusage samples processes, pidtree finds them.
import pidtree from 'pidtree'
import pidusage from 'pidusage'
import { osCoreTimes } from '../machine'
import type { Platform } from '../platform'
import { PidusageCollector } from './collector'
import { PidtreeScanner } from './tree-scanner'

export function portablePlatform(): Platform {
  return {
    name: 'pidusage',
    threadsVisible: false,
    pageSize: 4096,
    createCollector: () => new PidusageCollector(),
    createTreeScanner: () => new PidtreeScanner(),
    threadId: () => null,
    coreTimes: osCoreTimes,
    async listProcesses() {
      const pairs = await pidtree(-1, { advanced: true }).catch(() => [] as { pid: number; ppid: number }[])
      const stats = (await pidusage(pairs.map((p) => p.pid)).catch(() => ({}))) as Record<
        string,
        pidusage.Status | undefined
      >
      return pairs.flatMap(({ pid, ppid }) => {
        const s = stats[pid]
        return s ? [{ pid, ppid, name: '', cmdline: '', startTime: Math.round(s.timestamp - s.elapsed) }] : []
      })
    },
  }
}
