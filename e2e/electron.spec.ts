// The desktop shell through Playwright's _electron. Runs where an Electron runtime exists; reported as skipped where not.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { _electron as electron, type ElectronApplication } from '@playwright/test'
import { COMMANDS, EVENTS, subscriptionName } from '../src/shared/contract'
// @ts-expect-error: plain ESM script without types
import { probeElectron } from '../scripts/start.mjs'
import { expect, root, test } from './fixtures/lab'

let runtime: { path: string | null; reason: string | null } = { path: null, reason: 'not probed' }
let app: ElectronApplication | null = null

test.beforeAll(async () => {
  runtime = await probeElectron({ timeoutMs: 120_000 })
  if (runtime.path && process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    runtime = { path: null, reason: 'there is no display (run it under xvfb-run)' }
  }
})

test.afterAll(async () => {
  await app?.close()
})

test('the window exposes exactly the LabApi, sandboxed, and talks to the real lab', async () => {
  const reason = `Electron cannot run here: ${runtime.reason}.`
  if (!runtime.path) console.log(`electron.spec: skipped. ${reason}`)
  test.skip(!runtime.path, reason)
  app = await electron.launch({ executablePath: runtime.path!, args: ['.'], cwd: root })
  const win = await app.firstWindow()
  await win.waitForLoadState('domcontentloaded')
  expect(win.url()).toBe('app://lab/index.html')

  const shape = await win.evaluate(() => {
    const lab = (window as unknown as { lab: Record<string, unknown> }).lab
    return {
      keys: Object.keys(lab).sort(),
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
      popup: window.open('https://example.com') === null,
    }
  })
  expect(shape.keys).toEqual([...COMMANDS, ...EVENTS.map(subscriptionName)].sort())
  expect(shape).toMatchObject({ require: 'undefined', process: 'undefined', popup: true })

  const mainPid = app.process().pid
  const snapshot = await win.evaluate(() =>
    (window as unknown as { lab: { snapshot(): Promise<{ pid: number }> } }).lab.snapshot(),
  )
  expect(snapshot.pid).toBe(mainPid)

  const refused = await win.evaluate(() =>
    (window as unknown as { lab: { kill(p: unknown): Promise<void> } }).lab.kill({ unitId: 3 }).then(
      () => null,
      (e: { message: string; field?: string }) => ({ message: e.message, field: e.field }),
    ),
  )
  expect(refused).toEqual({ message: 'unitId must be a string.', field: 'unitId' })

  const tickT = await win.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const lab = (window as unknown as { lab: { onTick(fn: (t: { t: number }) => void): () => void } }).lab
        const off = lab.onTick((t) => {
          off()
          resolve(t.t)
        })
      }),
  )
  expect(typeof tickT).toBe('number')

  // Navigation away from the app is blocked.
  await win.evaluate(() => {
    window.location.href = 'https://example.com/'
  })
  await win.waitForTimeout(500)
  expect(win.url()).toBe('app://lab/index.html')
})

test('the built preload is one CommonJS file that requires nothing but electron (a sandboxed preload can load it)', () => {
  const code = readFileSync(join(root, 'out', 'preload', 'index.cjs'), 'utf8')
  expect(code).not.toMatch(/^\s*(import|export)\s/m)
  const required = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])
  expect(new Set(required)).toEqual(new Set(['electron']))
})
