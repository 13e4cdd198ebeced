// Versions for Help > About: the app, the runtime it runs in, and the Python the Python scenarios would use.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AboutInfo } from '../../shared/contract'
import { packageRoot } from './units/host-file'

let python: string | null | undefined

function pythonVersion(command: string): string | null {
  if (python !== undefined) return python
  try {
    const [version, executable] = execFileSync(
      command,
      ['-c', 'import platform, sys; print(platform.python_version()); print(sys.executable)'],
      {
        encoding: 'utf8',
        timeout: 5000,
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    )
      .trim()
      .split('\n')
    python = `${version} (${executable})`
  } catch {
    python = null
  }
  return python
}

/** `pythonCommand`: the Python the Python scenarios run with. */
export function aboutInfo(pythonCommand: string): AboutInfo {
  let app = 'unknown'
  try {
    app = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version
  } catch {
    // Keep "unknown".
  }
  return {
    app,
    electron: process.versions.electron ?? null,
    node: process.versions.node,
    chromium: process.versions.chrome ?? null,
    python: pythonVersion(pythonCommand),
    platform: `${process.platform} ${process.arch}`,
  }
}
