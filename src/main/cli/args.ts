// Command-line parsing shared by every subcommand: positionals, --key value, --key=value, --flag, --no-flag.

export class UsageError extends Error {}

export interface ParsedArgs {
  positionals: string[]
  options: Map<string, string | boolean>
  /** Everything after a bare `--` (the command of `watch`). */
  rest: string[]
}

export function parseArgs(argv: readonly string[], booleans: ReadonlySet<string>): ParsedArgs {
  const positionals: string[] = []
  const options = new Map<string, string | boolean>()
  let rest: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') {
      rest = argv.slice(i + 1)
      break
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg)
      continue
    }
    const body = arg.slice(2)
    const eq = body.indexOf('=')
    if (eq >= 0) {
      options.set(body.slice(0, eq), body.slice(eq + 1))
    } else if (body.startsWith('no-') && booleans.has(body.slice(3))) {
      options.set(body.slice(3), false)
    } else if (booleans.has(body)) {
      options.set(body, true)
    } else {
      const next = argv[i + 1]
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${body} needs a value.`)
      options.set(body, next)
      i++
    }
  }
  return { positionals, options, rest }
}

/** Takes an option out of the map so that what remains can be reported as unknown. */
export function take(args: ParsedArgs, key: string): string | boolean | undefined {
  const v = args.options.get(key)
  args.options.delete(key)
  return v
}

export function rejectUnknown(args: ParsedArgs, known: readonly string[]): void {
  const [first] = args.options.keys()
  if (first !== undefined) {
    throw new UsageError(`Unknown option --${first}. Known options: ${known.map((k) => `--${k}`).join(', ') || 'none'}.`)
  }
}
