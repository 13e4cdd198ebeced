// The code a scenario runs, for the code pane: its declared file (a Python script), else scenarios/<id>.ts.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import { LabError, type ScenarioSource } from '../../shared/contract'
import type { ScenarioDefinition } from './scenario-api'

/** A source larger than this is not a lesson's code. */
const MAX_SOURCE_BYTES = 256 * 1024

/** Folders that may hold the Node scenarios' files: an override, then the checkout's scenarios/ folder. */
function scenarioDirs(): string[] {
  return [process.env.PARALLEL_LAB_SCENARIOS_DIR, join(process.cwd(), 'scenarios')].filter((d): d is string => !!d)
}

export function scenarioSource(def: ScenarioDefinition): ScenarioSource {
  const declared = def.source?.() ?? null
  const candidates = declared
    ? [declared]
    : (def.runtime ?? 'node') === 'node'
      ? scenarioDirs().map((d) => ({ path: join(d, `${def.id}.ts`), language: 'typescript' as const }))
      : []
  for (const c of candidates) {
    if (!existsSync(c.path) || statSync(c.path).size > MAX_SOURCE_BYTES) continue
    return { scenario: def.id, file: basename(c.path), language: c.language, text: readFileSync(c.path, 'utf8') }
  }
  throw new LabError(
    'not-found',
    `The code of "${def.id}" is not available here${declared ? ` (looked for ${declared.path})` : ''}.`,
    'scenario',
  )
}
