// The one command list: unique ids, every view on its own Ctrl+number, and key matching as the window uses it.
import { describe, expect, it } from 'vitest'
import { APP_COMMANDS, keyLabel, matchesAccelerator, VIEW_COMMANDS } from './commands'

const press = (
  key: string,
  mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }> = {},
) => ({
  key,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
})

describe('APP_COMMANDS', () => {
  it('has unique ids and unique keys, File / View / Help, and Ctrl+1… for the views in order', () => {
    expect(new Set(APP_COMMANDS.map((c) => c.id)).size).toBe(APP_COMMANDS.length)
    const keys = APP_COMMANDS.flatMap((c) => (c.accelerator ? [c.accelerator] : []))
    expect(new Set(keys).size).toBe(keys.length)
    expect(VIEW_COMMANDS.map((v) => APP_COMMANDS.find((c) => c.id === `view.${v.view}`)?.accelerator)).toEqual(
      VIEW_COMMANDS.map((_, i) => `CmdOrCtrl+${i + 1}`),
    )
    for (const id of [
      'file.open-program',
      'file.attach',
      'file.quit',
      'view.pause',
      'view.filter',
      'help.shortcuts',
      'help.about',
    ]) {
      expect(APP_COMMANDS.some((c) => c.id === id)).toBe(true)
    }
  })

  it('matches keys as typed: modifiers exact, "?" with the Shift it needs, Space, and Cmd on a Mac', () => {
    expect(matchesAccelerator('CmdOrCtrl+1', press('1', { ctrlKey: true }))).toBe(true)
    expect(matchesAccelerator('CmdOrCtrl+1', press('1'))).toBe(false)
    expect(matchesAccelerator('CmdOrCtrl+1', press('1', { ctrlKey: true, altKey: true }))).toBe(false)
    expect(matchesAccelerator('CmdOrCtrl+1', press('1', { metaKey: true }), true)).toBe(true)
    expect(matchesAccelerator('CmdOrCtrl+1', press('1', { ctrlKey: true }), true)).toBe(false)
    expect(matchesAccelerator('CmdOrCtrl+Shift+A', press('A', { ctrlKey: true, shiftKey: true }))).toBe(true)
    expect(matchesAccelerator('CmdOrCtrl+Shift+A', press('a', { ctrlKey: true }))).toBe(false)
    expect(matchesAccelerator('CmdOrCtrl+K', press('k', { ctrlKey: true }))).toBe(true)
    expect(matchesAccelerator('?', press('?', { shiftKey: true }))).toBe(true)
    expect(matchesAccelerator('/', press('/'))).toBe(true)
    expect(matchesAccelerator('/', press('/', { ctrlKey: true }))).toBe(false)
    expect(matchesAccelerator('Space', press(' '))).toBe(true)
    expect(keyLabel('CmdOrCtrl+Shift+A')).toBe('Ctrl+Shift+A')
    expect(keyLabel('CmdOrCtrl+K', true)).toBe('⌘K')
  })
})
