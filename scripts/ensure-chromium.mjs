// Makes sure Debian's Chromium (/usr/bin/chromium) is there for the e2e run; installs it with apt when we are root.
// Playwright's own browser download is unreachable on the build machines, so the e2e specs drive this one.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

function run(cmd, args) {
  const r = spawnSync(cmd, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  })
  return r.status === 0
}

/** Returns true when Chromium is ready; prints one line saying what to do otherwise. */
export function ensureChromium() {
  if (existsSync(CHROMIUM)) return true
  const root = typeof process.getuid === 'function' && process.getuid() === 0
  const apt = existsSync('/usr/bin/apt-get')
  if (!root || !apt) {
    console.error(
      `Chromium is needed for the e2e tests and ${CHROMIUM} is missing. ` +
        (apt
          ? 'Install it with: sudo apt-get install -y chromium'
          : 'Install Chromium and set CHROMIUM_PATH to its executable.'),
    )
    return false
  }
  console.log(`Installing Chromium with apt-get (${CHROMIUM} is missing)...`)
  if (
    !run('apt-get', ['update', '-qq']) ||
    !run('apt-get', ['install', '-y', '-qq', 'chromium']) ||
    !existsSync(CHROMIUM)
  ) {
    console.error('Installing Chromium with apt-get failed (see the lines above).')
    return false
  }
  console.log(`Chromium installed at ${CHROMIUM}.`)
  return true
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = ensureChromium() ? 0 : 1
}
