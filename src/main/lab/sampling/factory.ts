// Picks the platform's collector once.
import { existsSync } from 'node:fs'
import type { Collector } from './collector'
import { PidusageCollector } from './pidusage'
import { ProcFsCollector } from './procfs'

export type CollectorName = 'procfs' | 'pidusage'

export function createCollector(name?: CollectorName): Collector {
  const pick = name ?? (process.platform === 'linux' && existsSync('/proc/self/stat') ? 'procfs' : 'pidusage')
  return pick === 'procfs' ? new ProcFsCollector() : new PidusageCollector()
}
