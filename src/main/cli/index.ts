// Command-line entry: `lab scenarios`, `lab run <id>`, `lab watch -- <command>`. Exit 0 on success, 2 on bad arguments, 1 when a run failed.
import { scenarios } from '../../../scenarios/registry'
import { UsageError } from './args'
import { COMPARE_USAGE, compareCommand } from './compare-command'
import { runCommand, type Out } from './run-command'
import { watchCommand } from './watch-command'

const USAGE = `Parallel Lab command line

  lab scenarios                      list the scenarios
  lab run <id> [options]             run one to its end and print its log and a summary
      --mode thread|process  --workers N  --lock  --shared  (and any parameter of the scenario)
      --interval MS          sampling interval, 100 to 5000 (default 500)
      --json                 NDJSON: tick, log and summary objects, one per line
  lab watch [options] -- <command> [args...]
                                     run any program; show its processes and threads live, then a summary
      --interval MS  --json  --duration S (stop the whole tree after S seconds)
      exit status: 0 when the program exited 0, 1 when it failed or could not start
  lab watch --pid N [--pid M ...] [--interval MS] [--json] [--duration S]
                                     attach to running processes and follow them (never signalled); --duration
                                     and Ctrl-C only detach. Exit 1 when a PID cannot be attached to
${COMPARE_USAGE}
`

export async function main(argv: readonly string[], out: Out = (l) => process.stdout.write(l + '\n')): Promise<number> {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case 'scenarios': {
        const width = Math.max(...scenarios.map((s) => s.id.length))
        for (const s of scenarios) {
          const a = s.availability?.()
          out(`${s.id.padEnd(width)}  ${s.summary}${a && !a.available ? ` (unavailable: ${a.reason})` : ''}`)
        }
        return 0
      }
      case 'run':
        return await runCommand(rest, out)
      case 'compare':
        return await compareCommand(rest, out)
      case 'watch':
        return await watchCommand(rest, out, { tty: process.stdout.isTTY === true })
      case undefined:
      case 'help':
      case '--help':
        out(USAGE)
        return command === undefined ? 2 : 0
      default:
        throw new UsageError(`Unknown command "${command}". Commands: scenarios, run, watch, compare.`)
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`lab: ${err.message}\n`)
      return 2
    }
    process.stderr.write(`lab: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  }
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
