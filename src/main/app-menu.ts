// The desktop app's menu as plain data, built from the one command list (src/shared/commands.ts); index.ts hands it to Electron.
import { APP_COMMANDS, MENU_SECTIONS, type AppCommand } from '../shared/commands'

/** The fields of Electron's MenuItemConstructorOptions this menu uses (kept here so this module needs no Electron). */
export interface MenuItemSpec {
  id?: string
  label?: string
  accelerator?: string
  /** false: the key is shown, and the window handles it (so it works the same in a browser, and Space still types in a field). */
  registerAccelerator?: boolean
  role?: 'appMenu' | 'editMenu' | 'reload' | 'toggleDevTools'
  type?: 'separator' | 'submenu'
  submenu?: MenuItemSpec[]
  click?: () => void
}

export interface MenuOptions {
  /** A packaged build has no Reload and no DevTools. */
  isPackaged: boolean
  isMac: boolean
  /** Carries out a command chosen in the menu (the window gets it; Quit is the app's own). */
  run(command: AppCommand): void
}

export function buildMenuTemplate(opts: MenuOptions): MenuItemSpec[] {
  const sections: MenuItemSpec[] = MENU_SECTIONS.map((section) => {
    const items: MenuItemSpec[] = APP_COMMANDS.filter((c) => c.section === section).map((c) => ({
      id: c.id,
      label: c.label,
      ...(c.accelerator ? { accelerator: c.accelerator, registerAccelerator: false } : {}),
      click: () => opts.run(c),
    }))
    if (section === 'View' && !opts.isPackaged)
      items.push({ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' })
    return { label: section, submenu: items }
  })
  // macOS needs its app menu, and an Edit menu for copy and paste to work in text fields.
  return opts.isMac ? [{ role: 'appMenu' }, sections[0], { role: 'editMenu' }, ...sections.slice(1)] : sections
}
