// Electron entry: one window with the security settings, the app:// protocol, the lab and its shutdown. Thin on purpose.
import { app, BrowserWindow, Menu, protocol, screen, session } from 'electron'
import { join } from 'node:path'
import { buildMenuTemplate } from './app-menu'
import { bindLabToIpc } from './ipc'
import { pickProgramFile, pickRecordingFile } from './open-dialogs'
import { scenarios } from '../../scenarios/index'
import { Lab } from './lab/lab'
import { configDir } from './lab/settings/settings-file'
import { rendererResponse } from './web/renderer-files'
import { initialBounds } from './window-state'

const APP_ORIGIN = 'app://lab'
// electron-vite dev serves the renderer over http; a build is loaded from app://lab, never from file://.
const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined
const appOrigins = [APP_ORIGIN, ...(devUrl ? [new URL(devUrl).origin] : [])]

function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url)
    return appOrigins.includes(u.protocol === 'app:' ? `app://${u.host}` : u.origin)
  } catch {
    return false
  }
}

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
])
app.enableSandbox()

app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault()
  })
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
})

let lab: Lab | null = null
let unbind: (() => void) | null = null

/** out/ under the app's folder: where electron-vite puts main, preload, renderer and the unit host. */
const outDir = (): string => join(app.getAppPath(), 'out')

/** One app: a second launch hands over to the first (its window comes to the front) and leaves. */
const firstInstance = app.requestSingleInstanceLock()
if (!firstInstance) app.quit()
app.on('second-instance', () => {
  const win = BrowserWindow.getAllWindows()[0]
  if (!win) return
  if (win.isMinimized()) win.restore()
  win.show()
  win.focus()
})

async function createWindow(): Promise<void> {
  const saved = lab ? (await lab.getSettings()).settings.window : null
  const bounds = initialBounds(
    saved,
    screen.getAllDisplays().map((d) => d.workArea),
  )
  const win = new BrowserWindow({
    ...bounds,
    show: false,
    title: 'Parallel Lab',
    webPreferences: {
      // Reviewed: the preload exposes only the LabApi (one method per command, one subscription per event).
      preload: join(outDir(), 'preload', 'index.cjs'), // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      disableBlinkFeatures: 'Auxclick',
    },
  })
  win.once('ready-to-show', () => {
    if (saved?.maximized) win.maximize()
    win.show()
  })
  // Size and place are settings: remembered a moment after the last move, so a drag is one write.
  let timer: NodeJS.Timeout | null = null
  const remember = (): void => {
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => {
      if (win.isDestroyed() || win.isMinimized()) return
      const b = win.getNormalBounds()
      void lab
        ?.setSettings({ window: { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() } })
        .catch(() => undefined)
    }, 400)
  }
  for (const event of ['resize', 'move', 'maximize', 'unmaximize'] as const) win.on(event as 'resize', remember)
  void win.loadURL(devUrl ?? `${APP_ORIGIN}/index.html`)
}

void app.whenReady().then(() => {
  if (!firstInstance) return
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.defaultSession.setPermissionCheckHandler(() => false)
  protocol.handle('app', (request) => rendererResponse(join(outDir(), 'renderer'), request.url))
  lab = new Lab({
    scenarios,
    hostFile: join(outDir(), 'lab', 'worker-host.mjs'),
    scenarioFile: join(outDir(), 'lab', 'scenarios.mjs'),
    pickProgramFile,
    pickRecordingFile,
    configDir: configDir(),
    quit: () => app.quit(),
  })
  unbind = bindLabToIpc(lab, { isAppUrl, targets: () => BrowserWindow.getAllWindows().map((w) => w.webContents) })
  // The app's own menu, from the same command list as the window's palette and shortcuts (no Reload/DevTools when packaged).
  const template = buildMenuTemplate({
    isPackaged: app.isPackaged,
    isMac: process.platform === 'darwin',
    run: (command) => (command.id === 'file.quit' ? app.quit() : lab?.emitAppCommand(command.id)),
  })
  Menu.setApplicationMenu(Menu.buildFromTemplate(template as Electron.MenuItemConstructorOptions[]))
  void createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

// Quit waits for the lab: threads terminated, children SIGTERM then SIGKILL after a short grace.
let closed = false
app.on('before-quit', (event) => {
  if (closed || !lab) return
  event.preventDefault()
  unbind?.()
  void lab.close().finally(() => {
    closed = true
    app.quit()
  })
})
