// Every process of the machine, from one /proc listing: what a person picks from to watch a running program.
import { readdirSync } from 'node:fs'
import type { MachineProcess } from '../platform'
import { parseStat, readProcText, openProcFile } from './procfs'

export function listProcesses(): MachineProcess[] {
  const buf = Buffer.alloc(4096)
  const out: MachineProcess[] = []
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return out
  }
  for (const entry of entries) {
    const c = entry.charCodeAt(0)
    if (c < 48 || c > 57) continue
    const pid = Number(entry)
    const file = openProcFile(`/proc/${pid}/stat`)
    if (!file) continue
    const n = file.read(buf)
    file.close()
    const stat = n > 0 ? parseStat(buf, n) : null
    if (!stat || stat.state === 'Z' || stat.state === 'X') continue
    const cmdline = (readProcText(`/proc/${pid}/cmdline`, buf) ?? '').replace(/\0+$/, '').replaceAll('\0', ' ')
    out.push({ pid, ppid: stat.ppid, name: stat.name, cmdline, startTime: stat.startTime })
  }
  return out
}
