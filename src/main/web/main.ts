// Entry of the browser mode (`npm run web`, and `npm start` without Electron): starts the lab and the web server, prints the URL.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { scenarios } from '../../../scenarios/index'
import { Lab } from '../lab/lab'
import { defaultHostFile, packageRoot } from '../lab/units/host-file'
import { optionsHelp, parseOptions, UsageError, wantsHelp, type OptionSpec } from '../cli/command'
import { stateDir } from '../lab/lifeline/survivor-records'
import { configDir } from '../lab/settings/settings-file'
import { acquireInstanceLock } from './instance-lock'
import { PortInUseError, startWebServer } from './server'

export interface BrowserModeOptions {
  port?: number
  /** Where to print; stdout by default. */
  out?: (line: string) => void
}

export { PortInUseError }

const OPTIONS: OptionSpec[] = [
  { name: 'port', type: 'string', value: 'N', help: 'listen on this port, 1 to 65535 (default or 0: any free port)' },
]

export const WEB_HELP = `Usage: npm run web [-- --port N]

Starts the lab and the browser-mode server on 127.0.0.1 and prints the address to open (it carries the access token).
Ctrl-C ends every thread and process the lab started.

${optionsHelp(OPTIONS)}`

/** The browser mode's options; a fault is a UsageError naming the option. */
export function webOptions(argv: readonly string[]): { port?: number } {
  const { values } = parseOptions(argv, OPTIONS)
  if (values.port === undefined) return {}
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(
      `--port must be a whole number from 1 to 65535 (or 0 for any free port), not "${String(values.port)}".`,
    )
  }
  return { port }
}

/**
 * The browser mode from its command line (this file run by Node, or scripts/start.mjs): help, or the lab and server
 * until a signal. Returns the exit status: 0 once running (or after the help), 2 on bad arguments, 1 when it failed.
 */
export async function browserModeMain(
  argv: readonly string[],
  out: (line: string) => void = (l) => process.stdout.write(l + '\n'),
): Promise<number> {
  if (wantsHelp(argv)) {
    out(WEB_HELP)
    return 0
  }
  try {
    await runBrowserMode({ ...webOptions(argv), out })
    return 0
  } catch (err) {
    const known = err instanceof UsageError || err instanceof PortInUseError
    process.stderr.write(
      `web: ${known ? (err as Error).message : `could not start: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`}\n`,
    )
    return known ? 2 : 1
  }
}

/** Runs until SIGINT/SIGTERM/SIGHUP, then stops every unit the lab started and leaves. */
export async function runBrowserMode(opts: BrowserModeOptions = {}): Promise<void> {
  const out = opts.out ?? ((line: string) => process.stdout.write(line + '\n'))
  const root = packageRoot()
  const rendererDir = join(root, 'out', 'renderer')
  const hostFile = defaultHostFile()
  if (!existsSync(join(rendererDir, 'index.html')) || !existsSync(hostFile)) {
    throw new UsageError('The app is not built yet: run "npm run build" first (or use "npm run web", which builds it).')
  }
  // One lab per user: a second launch names the running one and leaves (exit 0).
  const lock = await acquireInstanceLock(stateDir())
  if ('running' in lock) {
    const { pid, url } = lock.running
    out(
      `Parallel Lab is already running in browser mode (PID ${pid}). Open this address in a browser (it carries the access token):`,
    )
    out(`  ${url ?? '(it is still starting; run this again in a moment)'}`)
    return
  }
  const instance = lock.held
  process.once('exit', () => instance.release())
  let quit: () => void = () => undefined
  const lab = new Lab({ scenarios, hostFile, configDir: configDir(), quit: () => quit() })
  let server
  try {
    server = await startWebServer({ lab, rendererDir, port: opts.port })
  } catch (err) {
    await lab.close()
    instance.release()
    throw err
  }
  instance.publish(server.url)
  out(`Parallel Lab is running in browser mode. Open this address in a browser (it carries the access token):`)
  out(`  ${server.url}`)
  out(`Press Ctrl-C to stop.`)

  let stopping = false
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second Ctrl-C: leave now. Forked units leave by themselves when their IPC channel closes.
      process.exit(130)
    }
    stopping = true
    out(`Stopping (${signal}): ending every thread and process the lab started...`)
    void Promise.allSettled([server.close(), lab.close()]).then(() => process.exit(0))
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop)
  quit = () => {
    out('Quit was chosen in the window.')
    stop('SIGTERM')
  }
}

function isEntry(): boolean {
  return process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]
}

if (isEntry()) process.exitCode = await browserModeMain(process.argv.slice(2))
