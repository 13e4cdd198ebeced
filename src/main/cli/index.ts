// Command-line entry: a table of commands (scenarios, run, watch, compare, sessions, replay, export), -h/--help on each, --version.
// Exit 0 on success, 2 on bad arguments, 1 when a run failed.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { scenarios } from '../../../scenarios/index'
import { packageRoot } from '../lab/units/host-file'
import { UsageError, wantsHelp, type Command, type CommandContext, type Out } from './command'
import { compareCommand } from './compare-command'
import { runCommand } from './run-command'
import { scenariosCommand } from './scenarios-command'
import { watchCommand } from './watch-command'
import { exportCommand, replayCommand, sessionsCommand } from './session-commands'

/** Every command; a new one is one more entry here. */
export const COMMANDS: readonly Command[] = [
  scenariosCommand,
  runCommand,
  watchCommand,
  compareCommand,
  sessionsCommand,
  replayCommand,
  exportCommand,
]

function usage(): string {
  return [
    'Parallel Lab command line',
    '',
    ...COMMANDS.map((c) => `  ${c.synopsis}`),
    '',
    '  lab <command> --help               what a command takes ("lab run <id> --help": a scenario\'s parameters)',
    '  lab --version                      the version of Parallel Lab',
    '',
    'Exit status: 0 on success, 2 on bad arguments, 1 when a run failed.',
  ].join('\n')
}

export function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version
}

export async function main(argv: readonly string[], out: Out = (l) => process.stdout.write(l + '\n')): Promise<number> {
  const [name, ...rest] = argv
  const ctx: CommandContext = { out, scenarios, tty: process.stdout.isTTY === true }
  try {
    if (name === undefined) {
      out(usage())
      return 2
    }
    if (name === '--help' || name === '-h') {
      out(usage())
      return 0
    }
    if (name === '--version' || name === '-v') {
      out(`parallel-lab ${version()}`)
      return 0
    }
    if (name === 'help') {
      const command = rest[0] === undefined ? undefined : find(rest[0])
      out(command ? command.help(rest.slice(1), ctx) : usage())
      return 0
    }
    const command = find(name)
    if (wantsHelp(rest)) {
      out(command.help(rest, ctx))
      return 0
    }
    return await command.run(rest, ctx)
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`lab: ${err.message}\n`)
      return 2
    }
    process.stderr.write(`lab: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  }
}

function find(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name)
  if (!command)
    throw new UsageError(
      `Unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(', ')}. See "lab --help".`,
    )
  return command
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  // A closed pipe (`lab run ... | head`) ends the CLI quietly; units leave with it.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0)
    throw err
  })
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code
  })
}
