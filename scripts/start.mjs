// `npm start`: builds if the sources changed, then opens the Electron window; without an Electron runtime
// (offline: its binary is downloaded on first use) it says so in one line and starts the browser mode instead.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { LAB_ENV, LAB_V8_FLAGS } from './lab-flags.mjs'

export const root = fileURLToPath(new URL('..', import.meta.url))

const OUTPUTS = [
  'out/main/index.js',
  'out/main/web.js',
  'out/preload/index.cjs',
  'out/renderer/index.html',
  'out/lab/worker-host.mjs',
  'out/lab/scenarios.mjs',
]
const INPUTS = [
  'src',
  'scenarios',
  'electron.vite.config.ts',
  'package.json',
  'tsconfig.node.json',
  'tsconfig.web.json',
  'scripts/build-lab.mjs',
]

function newestInput(path) {
  const full = join(root, path)
  if (!existsSync(full)) return 0
  const st = statSync(full)
  if (!st.isDirectory()) return /\.(test|spec)\.ts$/.test(path) ? 0 : st.mtimeMs
  return Math.max(0, ...readdirSync(full).map((name) => newestInput(join(path, name))))
}

/** True when every build output exists and none is older than the newest source. */
export function isBuildFresh() {
  const outputs = OUTPUTS.map((p) => join(root, p))
  if (!outputs.every((p) => existsSync(p))) return false
  const oldestOutput = Math.min(...outputs.map((p) => statSync(p).mtimeMs))
  return INPUTS.every((p) => newestInput(p) <= oldestOutput)
}

/** Runs `electron-vite build` (main, preload, renderer, unit host) unless out/ is up to date. */
export function ensureBuilt({ quiet = false } = {}) {
  if (isBuildFresh()) return
  if (!quiet) console.log('Building Parallel Lab (electron-vite build)...')
  const cli = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js')
  const r = spawnSync(process.execPath, [cli, 'build'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`)
    console.error('The build failed (see the messages above).')
    process.exit(1)
  }
}

/**
 * Resolves with the Electron executable's path, or null with the reason. `require('electron')` downloads the
 * runtime the first time; where that cannot work it fails within about half a second. It runs in its own
 * process group so a stalled download can be ended whole.
 */
export function probeElectron({ timeoutMs = 180_000, onSlow } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: withoutRunAsNode(),
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    const slow = setTimeout(() => onSlow?.(), 2000)
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }, timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(slow)
      clearTimeout(timer)
      const path = stdout.trim().split('\n').pop() ?? ''
      if (code === 0 && path && existsSync(path)) return resolve({ path, reason: null })
      if (signal) return resolve({ path: null, reason: 'its download did not finish in time' })
      const failed = /Electron failed to install correctly/.test(stderr)
      resolve({
        path: null,
        reason: failed ? 'its binary could not be downloaded (offline?)' : 'its binary could not be loaded',
      })
    })
  })
}

function withoutRunAsNode() {
  const env = { ...LAB_ENV, ...process.env }
  delete env.ELECTRON_RUN_AS_NODE
  return env
}

/** Imports the built browser-mode entry and runs it until Ctrl-C. */
export async function startBrowserMode(argv) {
  const web = await import(pathToFileURL(join(root, 'out', 'main', 'web.js')).href)
  const code = await web.browserModeMain(argv)
  if (code !== 0) process.exit(code)
}

/**
 * Runs Electron on the app. If it dies within a few seconds (no display, missing system libraries), its
 * messages are summed up in one line and the browser mode starts instead.
 */
function launchElectron(electronPath) {
  return new Promise((resolve) => {
    const child = spawn(electronPath, [`--js-flags=${LAB_V8_FLAGS.join(' ')}`, '.'], {
      cwd: root,
      stdio: ['inherit', 'inherit', 'pipe'],
      env: withoutRunAsNode(),
    })
    let early = ''
    let settled = false
    const settle = setTimeout(() => {
      settled = true
      process.stderr.write(early)
    }, 5000)
    child.stderr.on('data', (c) => (settled ? process.stderr.write(c) : (early += c)))
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal))
    child.on('error', (err) => {
      clearTimeout(settle)
      resolve({ ok: false, reason: err.message })
    })
    child.on('exit', (code, signal) => {
      clearTimeout(settle)
      if (!settled && code !== 0 && !signal) {
        const first = early.split('\n').find((l) => l.trim()) ?? `exit code ${code}`
        return resolve({ ok: false, reason: first.trim().slice(0, 200) })
      }
      if (!settled) process.stderr.write(early)
      resolve({ ok: true, code: code ?? 0 })
    })
  })
}

async function main() {
  const argv = process.argv.slice(2)
  ensureBuilt()
  const electron = await probeElectron({
    onSlow: () => console.log('Fetching the Electron runtime (first start only)...'),
  })
  if (electron.path) {
    const run = await launchElectron(electron.path)
    if (run.ok) process.exit(run.code)
    console.log(`The Electron window could not open (${run.reason}); starting the browser mode instead.`)
  } else {
    console.log(`Electron is not available: ${electron.reason}. Starting the browser mode instead.`)
  }
  await startBrowserMode(argv)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main()
}
