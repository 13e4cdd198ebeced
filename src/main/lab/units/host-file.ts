// Where the built unit host and the built-in scenario module live: out/lab/ under the package root.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Walks up from this module (source or bundle) to the folder holding package.json. */
export function packageRoot(from = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from)
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error(`No package.json above ${from}.`)
    dir = up
  }
  return dir
}

export function defaultHostFile(): string {
  return join(packageRoot(), 'out', 'lab', 'worker-host.mjs')
}

/** The built-in scenarios built for units to import (scenarios/index.ts bundled by scripts/build-lab.mjs). */
export function defaultScenarioFile(): string {
  return join(packageRoot(), 'out', 'lab', 'scenarios.mjs')
}
