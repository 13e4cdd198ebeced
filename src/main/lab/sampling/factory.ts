// Picks the platform's collector once.
import { existsSync } from 'node:fs'
import type { Collector } from './collector'
import { PidusageCollector } from './pidusage'
import { ProcFsCollector } from './procfs'
import { ProcTreeScanner, type TreeScanner } from './proc-tree'
import { PidtreeScanner } from './proc-tree-pidtree'

export type CollectorName = 'procfs' | 'pidusage'

export function createCollector(name?: CollectorName): Collector {
  const pick = name ?? (process.platform === 'linux' && existsSync('/proc/self/stat') ? 'procfs' : 'pidusage')
  return pick === 'procfs' ? new ProcFsCollector() : new PidusageCollector()
}

/** The tree scanner that matches a collector: procfs sees threads, pidtree only processes. */
export function createTreeScanner(collector: string): TreeScanner {
  return collector === 'procfs' ? new ProcTreeScanner() : new PidtreeScanner()
}
