// Builds the unit host once before any test spawns a thread or a process, and gives the run folders of its own for
// recorded sessions and survivor records (never the user's), removed when the run ends.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
// @ts-expect-error: plain ESM script without types
import { buildLabHost } from './build-lab.mjs'

export default async function setup(): Promise<() => void> {
  await buildLabHost()
  const sessionsDir = mkdtempSync(join(tmpdir(), 'plab-sessions-'))
  const stateDir = mkdtempSync(join(tmpdir(), 'parallel-lab-state-'))
  // Test workers start after this and inherit the environment.
  process.env.PARALLEL_LAB_SESSIONS_DIR = sessionsDir
  process.env.PARALLEL_LAB_STATE_DIR = stateDir
  return () => {
    rmSync(sessionsDir, { recursive: true, force: true })
    rmSync(stateDir, { recursive: true, force: true })
  }
}
