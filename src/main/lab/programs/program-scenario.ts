// A scenario whose code is an external program (a Python script, a user's command): run it, follow it, take its result.
import type { ParamSpec, ParamValues } from '../../../shared/params'
import type { ScenarioDefinition } from '../scenario-api'

export interface ProgramScenarioSpec {
  id: string
  title: string
  section: string
  summary: string
  params: ParamSpec[]
  runtime: 'python' | 'program'
  /** The command and its arguments for these parameter values. */
  command(params: ParamValues): { command: string; args: string[]; cwd?: string }
  /** Unit label of the program's root process. */
  label: string
  availability?(): { available: boolean; reason: string | null }
  /** The script it runs, for the code pane. */
  source?(): { path: string; language: 'python' | 'typescript' } | null
}

/** How many of the program's last stderr lines go into the error of a failed run. */
const ERROR_LINES = 3

export function programScenario(spec: ProgramScenarioSpec): ScenarioDefinition {
  return {
    id: spec.id,
    title: spec.title,
    section: spec.section,
    summary: spec.summary,
    params: spec.params,
    runtime: spec.runtime,
    availability: spec.availability,
    source: spec.source,
    async run(ctx, params) {
      const { command, args, cwd } = spec.command(params)
      const outcome = await ctx.program({ command, args, cwd, label: spec.label })
      if (outcome.exitCode !== 0) {
        const how = outcome.signal ? `was ended by ${outcome.signal}` : `exited with code ${outcome.exitCode}`
        const tail = outcome.stderrTail.slice(-ERROR_LINES)
        throw new Error(`${spec.label} ${how}${tail.length ? `: ${tail.join(' / ')}` : '.'}`)
      }
      return outcome.result ?? null
    },
  }
}
