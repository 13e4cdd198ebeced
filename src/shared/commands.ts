// The app's commands, once: the desktop menu, the browser mode's command palette, its shortcuts and the shortcut overlay are all built from this list.

export type MenuSection = 'File' | 'View' | 'Help'

export interface AppCommand {
  id: string
  label: string
  section: MenuSection
  /**
   * The key, in Electron's accelerator syntax ("CmdOrCtrl+1", "Space", "/", "?"); null when it has none. The window
   * handles every key itself, so the same keys work in the desktop app and in a browser.
   */
  accelerator: string | null
  /** Said in the palette and the overlay. */
  detail?: string
  /** Only where it makes sense: the desktop menu has Quit natively; the browser mode has no Open dialog. */
  only?: 'desktop'
}

/** Views in menu order; Ctrl+1… follow this order (a view added later takes the next number). */
export const VIEW_COMMANDS = [
  { view: 'monitor', label: 'Monitor' },
  { view: 'scenarios', label: 'Scenarios' },
  { view: 'compare', label: 'Compare' },
  { view: 'programs', label: 'Programs' },
  { view: 'sessions', label: 'Sessions' },
] as const

export const APP_COMMANDS: readonly AppCommand[] = [
  {
    id: 'file.open-program',
    label: 'Open program…',
    section: 'File',
    accelerator: 'CmdOrCtrl+O',
    detail: 'Add a program file, Python script or executable to your programs',
  },
  {
    id: 'file.open-recording',
    label: 'Open recording…',
    section: 'File',
    accelerator: 'CmdOrCtrl+Shift+O',
    detail: 'Open a session recording (.plrec) to replay it; dropping one onto the window opens it too',
  },
  {
    id: 'file.attach',
    label: 'Attach to a running process…',
    section: 'File',
    accelerator: 'CmdOrCtrl+Shift+A',
    detail: 'Watch a process Parallel Lab did not start',
  },
  { id: 'file.reset-settings', label: 'Reset settings to defaults', section: 'File', accelerator: null },
  {
    id: 'file.quit',
    label: 'Quit',
    section: 'File',
    accelerator: 'CmdOrCtrl+Q',
    detail: 'End every thread and process the lab started, and leave',
  },
  ...VIEW_COMMANDS.map((v, i): AppCommand => ({
    id: `view.${v.view}`,
    label: v.label,
    section: 'View',
    accelerator: `CmdOrCtrl+${i + 1}`,
    detail: `Show the ${v.label} view`,
  })),
  {
    id: 'view.pause',
    label: 'Pause the display',
    section: 'View',
    accelerator: 'Space',
    detail: 'Pause or resume the live display (sampling goes on)',
  },
  { id: 'view.filter', label: 'Filter units', section: 'View', accelerator: '/', detail: 'Jump to the Monitor filter' },
  { id: 'view.palette', label: 'Command palette', section: 'View', accelerator: 'CmdOrCtrl+K' },
  { id: 'view.theme-system', label: 'Theme: follow the system', section: 'View', accelerator: null },
  { id: 'view.theme-light', label: 'Theme: light', section: 'View', accelerator: null },
  { id: 'view.theme-dark', label: 'Theme: dark', section: 'View', accelerator: null },
  {
    id: 'help.shortcuts',
    label: 'Keyboard shortcuts',
    section: 'Help',
    accelerator: '?',
    detail: 'Every key of the app',
  },
  {
    id: 'help.about',
    label: 'About Parallel Lab',
    section: 'Help',
    accelerator: null,
    detail: 'Versions of the app, Electron, Node, Chromium and Python',
  },
]

export const MENU_SECTIONS: readonly MenuSection[] = ['File', 'View', 'Help']

export function findAppCommand(id: string): AppCommand | undefined {
  return APP_COMMANDS.find((c) => c.id === id)
}

/** An accelerator as a person reads it: "Ctrl+1" (⌘1 on a Mac), "Space", "/". */
export function keyLabel(accelerator: string, mac = false): string {
  return accelerator
    .split('+')
    .map((part) => (part === 'CmdOrCtrl' ? (mac ? '⌘' : 'Ctrl') : part === 'Shift' && mac ? '⇧' : part))
    .join(mac ? '' : '+')
}

/** The keydown fields an accelerator needs (what the window's key handler compares). */
export interface KeyPress {
  key: string
  ctrlKey: boolean
  metaKey: boolean
  shiftKey: boolean
  altKey: boolean
}

/** Whether a key press is this accelerator. CmdOrCtrl is Ctrl, or ⌘ on a Mac; single keys must come without modifiers. */
export function matchesAccelerator(accelerator: string, ev: KeyPress, mac = false): boolean {
  const parts = accelerator.split('+')
  const key = parts.pop()!
  const wantsMod = parts.includes('CmdOrCtrl')
  const wantsShift = parts.includes('Shift')
  const mod = mac ? ev.metaKey : ev.ctrlKey
  if (mod !== wantsMod || ev.altKey || (mac ? ev.ctrlKey : ev.metaKey)) return false
  const pressed = ev.key === ' ' ? 'Space' : ev.key
  // "?" is typed with Shift on most layouts; for printable single keys, Shift is part of the character.
  if (key.length === 1 && !/[A-Za-z0-9]/.test(key)) return pressed === key
  return wantsShift === ev.shiftKey && pressed.toLowerCase() === key.toLowerCase()
}
