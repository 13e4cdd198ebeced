// Picks the platform once: procfs where /proc is there (Linux), pidusage + pidtree elsewhere.
import { existsSync } from 'node:fs'
import type { Platform } from './platform'
import { linuxPlatform } from './linux/platform'
import { portablePlatform } from './portable/platform'

export type PlatformName = Platform['name']

export function createPlatform(name?: PlatformName): Platform {
  const pick = name ?? (process.platform === 'linux' && existsSync('/proc/self/stat') ? 'procfs' : 'pidusage')
  return pick === 'procfs' ? linuxPlatform() : portablePlatform()
}
