// The machine a recording was made on: cores, CPU model, OS and kernel, Node and Python versions.
import { spawnSync } from 'node:child_process'
import os from 'node:os'
import type { MachineInfo } from '../../../shared/recording/format'

let python: string | null | undefined

/** `python3 --version`, asked once per process (a missing python3 is recorded as null). */
function pythonVersion(): string | null {
  if (python !== undefined) return python
  const bin = process.env.PARALLEL_LAB_PYTHON ?? 'python3'
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 3000 })
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim()
  python = r.status === 0 && text ? text.replace(/^Python\s+/i, '') : null
  return python
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus()
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    os: `${os.type()} ${os.release()}`,
    kernel: os.version(),
    arch: os.arch(),
    node: process.version,
    python: pythonVersion(),
    hostname: os.hostname(),
    memTotal: os.totalmem(),
  }
}
