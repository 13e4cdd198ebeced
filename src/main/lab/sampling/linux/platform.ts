// The Linux platform: everything read from /proc.
import type { Platform } from '../platform'
import { ProcFsCollector } from './collector'
import { listProcesses } from './processes'
import { pageSize, procCoreTimes, RecentStats, threadId } from './procfs'
import { ProcTreeScanner } from './tree-scanner'

export function linuxPlatform(): Platform {
  let pageBytes: number | null = null
  // What the tree scans read, the collection right after reuses.
  const recent = new RecentStats()
  return {
    name: 'procfs',
    threadsVisible: true,
    get pageSize() {
      return (pageBytes ??= pageSize())
    },
    createCollector: () => new ProcFsCollector(recent),
    createTreeScanner: () => new ProcTreeScanner(recent),
    threadId,
    coreTimes: procCoreTimes,
    listProcesses: async () => listProcesses(),
  }
}
