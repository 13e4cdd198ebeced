// The Electron entry against a stand-in for Electron's API (no runtime here): the security settings it applies,
// what it lets windows do, what app:// serves, and that quitting waits for the lab to close.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'

type Fn = (...args: never[]) => unknown
const appHandlers = new Map<string, Fn>()
const contentsHandlers = new Map<string, Fn>()
const windows: { options: { webPreferences: Record<string, unknown> }; url?: string }[] = []
const calls: string[] = []
let windowOpenHandler: Fn | null = null
let permissionHandler: Fn | null = null
let permissionCheck: Fn | null = null
let appProtocol: ((req: { url: string }) => Promise<Response>) | null = null
let privileged: unknown = null
let quits = 0
let menuTemplate: {
  label?: string
  role?: string
  submenu?: { id?: string; role?: string; accelerator?: string; registerAccelerator?: boolean; click?: () => void }[]
}[] = []
const focused: string[] = []
const appCommands: string[] = []

vi.mock('electron', () => {
  class BrowserWindow {
    webContents = {}
    constructor(public options: { webPreferences: Record<string, unknown> }) {
      windows.push(this)
    }
    once(): void {}
    on(): void {}
    isMinimized(): boolean {
      return true
    }
    restore(): void {
      focused.push('restore')
    }
    show(): void {
      focused.push('show')
    }
    focus(): void {
      focused.push('focus')
    }
    loadURL(url: string): Promise<void> {
      windows[windows.length - 1].url = url
      return Promise.resolve()
    }
    static getAllWindows(): BrowserWindow[] {
      return windows as unknown as BrowserWindow[]
    }
    static getFocusedWindow(): null {
      return null
    }
  }
  return {
    BrowserWindow,
    app: {
      isPackaged: false,
      getAppPath: () => '/app',
      enableSandbox: () => calls.push('enableSandbox'),
      on: (name: string, fn: Fn) => appHandlers.set(name, fn),
      whenReady: () => Promise.resolve(),
      quit: () => quits++,
      requestSingleInstanceLock: () => true,
    },
    Menu: {
      buildFromTemplate: (template: typeof menuTemplate) => template,
      setApplicationMenu: (menu: typeof menuTemplate) => (menuTemplate = menu),
    },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown) => (privileged = schemes),
      handle: (scheme: string, fn: typeof appProtocol) => scheme === 'app' && (appProtocol = fn),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Fn) => (permissionHandler = fn),
        setPermissionCheckHandler: (fn: Fn) => (permissionCheck = fn),
      },
    },
    ipcMain: { handle: () => undefined, removeHandler: () => undefined },
    dialog: {
      showOpenDialog: async (options: { properties: string[] }) => {
        calls.push(`dialog:${options.properties.join(',')}`)
        return { canceled: false, filePaths: ['/home/me/job.py'] }
      },
    },
  }
})

let labClosed = 0
let pickProgramFile: (() => Promise<string | null>) | null = null
let pickRecordingFile: (() => Promise<string | null>) | null = null
vi.mock('./lab/lab', async () => {
  const { EVENTS, subscriptionName } = await vi.importActual<typeof import('../shared/contract')>('../shared/contract')
  return {
    Lab: class {
      constructor(
        public opts: {
          hostFile: string
          scenarioFile: string
          scenarios: { id: string }[]
          pickProgramFile?: () => Promise<string | null>
          pickRecordingFile?: () => Promise<string | null>
        },
      ) {
        calls.push(
          `lab:${opts.hostFile}`,
          `scenarios:${opts.scenarioFile}:${opts.scenarios.map((s) => s.id).join(',')}`,
        )
        pickProgramFile = opts.pickProgramFile ?? null
        pickRecordingFile = opts.pickRecordingFile ?? null
        for (const event of EVENTS)
          (this as unknown as Record<string, unknown>)[subscriptionName(event)] = () => () => undefined
      }
      async getSettings(): Promise<unknown> {
        return { settings: { window: { x: 40, y: 30, width: 1000, height: 700, maximized: false } }, notice: null }
      }
      emitAppCommand(id: string): void {
        appCommands.push(id)
      }
      async close(): Promise<void> {
        labClosed++
      }
    },
  }
})

delete process.env.ELECTRON_RENDERER_URL
await import('./index')
await new Promise((resolve) => setTimeout(resolve, 0))

const rendererDir = mkdtempSync(join(tmpdir(), 'lab-app-'))
afterAll(() => rmSync(rendererDir, { recursive: true, force: true }))

describe('Electron entry', () => {
  it('turns the sandbox on for every renderer and registers app:// as a secure standard scheme', () => {
    expect(calls).toContain('enableSandbox')
    expect(privileged).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }])
  })

  it('opens one window on app://lab with the hardened web preferences and the CommonJS preload', () => {
    expect(windows).toHaveLength(1)
    // Where it was left (the settings), as it lies on a screen.
    expect(windows[0].options).toMatchObject({ x: 40, y: 30, width: 1000, height: 700 })
    expect(windows[0].url).toBe('app://lab/index.html')
    const prefs = windows[0].options.webPreferences
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    })
    expect(prefs.preload).toBe('/app/out/preload/index.cjs')
    expect(calls).toContain('lab:/app/out/lab/worker-host.mjs')
  })

  it('hands the built-in scenarios to the lab, with the built module its units find their code in', () => {
    const handed = calls.find((c) => c.startsWith('scenarios:'))!
    expect(handed.startsWith('scenarios:/app/out/lab/scenarios.mjs:counters,')).toBe(true)
    expect(handed.split(',')).toContain('py-counters')
  })

  it('denies every permission, every popup, navigation away, redirects away and webviews', () => {
    const done = vi.fn()
    ;(permissionHandler as unknown as (c: unknown, p: string, cb: (ok: boolean) => void) => void)({}, 'media', done)
    expect(done).toHaveBeenCalledWith(false)
    expect((permissionCheck as unknown as () => boolean)()).toBe(false)

    const contents = {
      setWindowOpenHandler: (fn: Fn) => (windowOpenHandler = fn),
      on: (name: string, fn: Fn) => contentsHandlers.set(name, fn),
    }
    ;(appHandlers.get('web-contents-created') as unknown as (e: unknown, c: unknown) => void)({}, contents)
    expect((windowOpenHandler as unknown as () => unknown)()).toEqual({ action: 'deny' })
    const navigate = (name: string, url: string): boolean => {
      const event = { preventDefault: vi.fn() }
      ;(contentsHandlers.get(name) as unknown as (e: unknown, u: string) => void)(event, url)
      return event.preventDefault.mock.calls.length > 0
    }
    expect(navigate('will-navigate', 'https://example.com/')).toBe(true)
    expect(navigate('will-navigate', 'file:///etc/passwd')).toBe(true)
    expect(navigate('will-navigate', 'app://other/index.html')).toBe(true)
    expect(navigate('will-navigate', 'app://lab/index.html')).toBe(false)
    expect(navigate('will-redirect', 'http://127.0.0.1:1/')).toBe(true)
    const attach = { preventDefault: vi.fn() }
    ;(contentsHandlers.get('will-attach-webview') as unknown as (e: unknown) => void)(attach)
    expect(attach.preventDefault).toHaveBeenCalled()
  })

  it('serves app:// files from out/renderer with the CSP; nothing outside it', async () => {
    expect(appProtocol).not.toBeNull()
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>')
    const { rendererResponse } = await import('./web/renderer-files')
    const ok = await rendererResponse(rendererDir, 'app://lab/index.html')
    expect(ok.status).toBe(200)
    expect(ok.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(ok.headers.get('content-security-policy')).toContain("script-src 'self';")
    expect((await rendererResponse(rendererDir, 'app://lab/..%2f..%2fetc/passwd')).status).toBe(404)
    expect((await appProtocol!({ url: 'app://lab/../../../etc/passwd' })).status).toBe(404)
  })

  it('quitting waits for the lab to close, then quits once', async () => {
    const event = { preventDefault: vi.fn() }
    const beforeQuit = appHandlers.get('before-quit') as unknown as (e: unknown) => void
    beforeQuit(event)
    expect(event.preventDefault).toHaveBeenCalled()
    await vi.waitFor(() => expect(quits).toBe(1))
    expect(labClosed).toBe(1)
    const again = { preventDefault: vi.fn() }
    beforeQuit(again)
    expect(again.preventDefault).not.toHaveBeenCalled()
  })
})

describe('One app, its own menu', () => {
  it('a second launch brings the first window to the front', () => {
    ;(appHandlers.get('second-instance') as unknown as () => void)()
    expect(focused).toEqual(['restore', 'show', 'focus'])
  })

  it('the menu is the command list: File, View, Help; menu choices go to the window; Reload and DevTools only unpackaged', async () => {
    const { APP_COMMANDS } = await import('../shared/commands')
    expect(menuTemplate.map((m) => m.label)).toEqual(['File', 'View', 'Help'])
    const items = menuTemplate.flatMap((m) => m.submenu ?? [])
    expect(items.filter((i) => i.id).map((i) => i.id)).toEqual(APP_COMMANDS.map((c) => c.id))
    // This stand-in app is not packaged (development): Reload and DevTools are there.
    expect(items.filter((i) => i.role).map((i) => i.role)).toEqual(['reload', 'toggleDevTools'])
    items.find((i) => i.id === 'view.compare')!.click!()
    expect(appCommands).toEqual(['view.compare'])
    const { buildMenuTemplate } = await import('./app-menu')
    const packaged = buildMenuTemplate({ isPackaged: true, isMac: false, run: () => undefined })
    expect(
      packaged.flatMap((m) => m.submenu ?? []).some((i) => i.role === 'reload' || i.role === 'toggleDevTools'),
    ).toBe(false)
  })
})

describe('Open program', () => {
  it('the lab gets an Open dialog for one file, and the chosen path', async () => {
    expect(pickProgramFile).not.toBeNull()
    expect(await pickProgramFile!()).toBe('/home/me/job.py')
    expect(calls).toContain('dialog:openFile')
  })

  it('the lab gets the Open dialog for recordings too (tested with the real lab in open-recording.test.ts)', () => {
    expect(pickRecordingFile).not.toBeNull()
  })
})
