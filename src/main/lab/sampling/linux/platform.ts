// The Linux platform: everything read from /proc.
import type { Platform } from '../platform'
import { ProcFsCollector } from './collector'
import { listProcesses } from './processes'
import { pageSize, threadId } from './procfs'
import { ProcTreeScanner } from './tree-scanner'

export function linuxPlatform(): Platform {
  let pageBytes: number | null = null
  return {
    name: 'procfs',
    threadsVisible: true,
    get pageSize() {
      return (pageBytes ??= pageSize())
    },
    createCollector: () => new ProcFsCollector(),
    createTreeScanner: () => new ProcTreeScanner(),
    threadId,
    listProcesses: async () => listProcesses(),
  }
}
