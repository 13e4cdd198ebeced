// What a command of the command line is (one entry of the table in index.ts), its one UsageError, and option parsing
// with node:util parseArgs: every command takes -h/--help; a fault names the option and what is allowed.
import { parseArgs } from 'node:util'
import type { ScenarioDefinition } from '../lab/scenario-api'

/** Bad arguments: the CLI prints the message and exits 2. */
export class UsageError extends Error {}

export type Out = (line: string) => void

export interface CommandContext {
  out: Out
  /** The scenarios the entry hands to the lab. */
  scenarios: readonly ScenarioDefinition[]
  /** stdout is a terminal (a live table redraws in place). */
  tty: boolean
}

export interface Command {
  name: string
  /** One line for `lab --help`. */
  synopsis: string
  /** The command's whole help; `argv` lets `lab run <id> --help` describe that scenario. */
  help(argv: readonly string[], ctx: CommandContext): string
  run(argv: readonly string[], ctx: CommandContext): Promise<number>
}

export interface OptionSpec {
  name: string
  type: 'string' | 'boolean'
  /** What the value is, for the help (`MS`, `FILE`). */
  value?: string
  help: string
}

export interface ParsedOptions {
  values: Record<string, string | boolean | undefined>
  positionals: string[]
  /** What follows a bare `--` (the command of `watch`), or null when there is none. */
  rest: string[] | null
}

export const HELP_OPTION: OptionSpec = { name: 'help', type: 'boolean', help: 'show this help' }

/** True when -h or --help comes before any bare `--` (after it, it belongs to a watched command). */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--')
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '-h' || a === '--help')
}

function known(options: readonly OptionSpec[]): string {
  return options.map((o) => `--${o.name}`).join(', ')
}

/** parseArgs with the command's options; booleans also take `--no-name`. Its errors become UsageErrors that name the option. */
export function parseOptions(
  argv: readonly string[],
  options: readonly OptionSpec[],
  opts: { positionals?: boolean; /** Appended to an "Unknown option" error. */ unknownHint?: string } = {},
): ParsedOptions {
  const all = [...options, HELP_OPTION]
  const config = Object.fromEntries(
    all.map((o) => [o.name, { type: o.type, ...(o.name === 'help' ? { short: 'h' } : {}) }]),
  )
  let parsed
  try {
    parsed = parseArgs({
      args: normalise(argv, options),
      options: config,
      allowPositionals: true,
      allowNegative: true,
      strict: true,
      tokens: true,
    })
  } catch (err) {
    throw usageFromParseError(err as Error & { code?: string }, all, opts.unknownHint)
  }
  const terminator = parsed.tokens.find((t) => t.kind === 'option-terminator')
  const positionals = terminator
    ? parsed.positionals.slice(
        0,
        parsed.tokens.filter((t) => t.kind === 'positional' && t.index < terminator.index).length,
      )
    : parsed.positionals
  const rest = terminator ? parsed.positionals.slice(positionals.length) : null
  if (!opts.positionals && positionals.length > 0)
    throw new UsageError(`Unexpected argument "${positionals[0]}". Options: ${known(options)}.`)
  // An empty string value is no value at all ("--interval=" or "--trace ''").
  for (const o of options) {
    if (o.type === 'string' && parsed.values[o.name] === '')
      throw new UsageError(`--${o.name} needs a value${o.value ? ` (${o.value})` : ''}.`)
  }
  return { values: parsed.values as ParsedOptions['values'], positionals, rest }
}

/**
 * What parseArgs would refuse but a person means: `--tasks -3` (a negative number after a string option is its value,
 * not an ambiguous option) and `--lock=true` / `--lock=false` (a switch spelled with a value).
 */
function normalise(argv: readonly string[], options: readonly OptionSpec[]): string[] {
  const strings = new Set(options.filter((o) => o.type === 'string').map((o) => `--${o.name}`))
  const switches = new Set(options.filter((o) => o.type === 'boolean').map((o) => `--${o.name}`))
  const out: string[] = []
  const end = argv.indexOf('--')
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const before = end < 0 || i < end
    const [name, value] = arg.split(/=(.*)/s, 2)
    if (before && strings.has(arg) && /^-\d/.test(argv[i + 1] ?? '')) out.push(`${arg}=${argv[++i]}`)
    else if (before && switches.has(name) && (value === 'true' || value === 'false'))
      out.push(value === 'true' ? name : `--no-${name.slice(2)}`)
    else out.push(arg)
  }
  return out
}

function usageFromParseError(
  err: Error & { code?: string },
  options: readonly OptionSpec[],
  unknownHint = '',
): UsageError {
  const name = /'(-{1,2}[^' ]+)/.exec(err.message)?.[1] ?? ''
  const spec = options.find((o) => `--${o.name}` === name || `--no-${o.name}` === name)
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(
        `Unknown option ${name}. Known options: ${known(options)}.${unknownHint ? ` ${unknownHint}` : ''}`,
      )
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return spec?.type === 'boolean'
        ? new UsageError(
            `--${spec.name} is a switch: use --${spec.name} or --no-${spec.name} (or --${spec.name}=true / --${spec.name}=false).`,
          )
        : new UsageError(`${spec ? `--${spec.name}` : name} needs a value${spec?.value ? ` (${spec.value})` : ''}.`)
    default:
      return new UsageError(err.message)
  }
}

/** The options block of a command's help (ending with -h/--help unless `withHelp` is false). */
export function optionsHelp(options: readonly OptionSpec[], withHelp = true): string {
  const lines = [...options, ...(withHelp ? [HELP_OPTION] : [])].map((o) => {
    const left = `--${o.name}${o.value ? ` ${o.value}` : ''}${o.name === 'help' ? ', -h' : ''}`
    return left.length < 24 ? `  ${left.padEnd(24)} ${o.help}` : `  ${left}\n  ${''.padEnd(24)} ${o.help}`
  })
  return lines.join('\n')
}

/** A string option as a number; a fault names the option. */
export function numberOption(v: string | boolean | undefined, name: string): number | undefined {
  if (v === undefined) return undefined
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number (got ${JSON.stringify(v)}).`)
  return n
}
