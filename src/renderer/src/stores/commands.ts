// Carries out the app's commands (src/shared/commands.ts) from any source: a key, the palette, the desktop menu.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { APP_COMMANDS, matchesAccelerator, VIEW_COMMANDS, type AppCommand } from '../../../shared/commands'
import type { LabError } from '../../../shared/contract'
import { labConnection } from '../api'
import { useLabStore } from './lab'
import { useReplayStore } from './replay'
import { useSettingsStore } from './settings'
import { useViewStore, type ViewName, type ViewRequest } from './view'

export type Overlay = 'palette' | 'shortcuts' | 'about' | 'attach' | null

/** Commands that open an overlay, and commands that show a view and ask it to do something there. */
const OVERLAY_COMMANDS: Readonly<Record<string, Exclude<Overlay, null>>> = {
  'file.attach': 'attach',
  'view.palette': 'palette',
  'help.shortcuts': 'shortcuts',
  'help.about': 'about',
}
const REQUEST_COMMANDS: Readonly<Record<string, readonly [ViewName, ViewRequest]>> = {
  'file.open-program': ['programs', 'open-program'],
  'view.filter': ['monitor', 'filter'],
}

export const isMac = (): boolean => /Mac|iPhone|iPad/.test(navigator.platform)

/** Whether a key goes to a text field (then single-key shortcuts such as Space and / must not fire). */
function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  return !!el && (el.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName))
}

export const useCommandsStore = defineStore('commands', () => {
  const view = useViewStore()
  const lab = useLabStore()
  const settings = useSettingsStore()
  const replay = useReplayStore()
  /** The one overlay open at a time (palette, shortcut list, About, attach picker). */
  const overlay = ref<Overlay>(null)
  const error = ref<string | null>(null)

  function open(which: Overlay): void {
    overlay.value = which
  }

  async function run(id: string): Promise<void> {
    const viewCommand = VIEW_COMMANDS.find((v) => `view.${v.view}` === id)
    if (viewCommand) return view.show(viewCommand.view)
    if (Object.hasOwn(OVERLAY_COMMANDS, id)) return open(OVERLAY_COMMANDS[id])
    if (Object.hasOwn(REQUEST_COMMANDS, id)) {
      const [name, what] = REQUEST_COMMANDS[id]
      view.show(name)
      return view.request(what)
    }
    switch (id) {
      case 'file.open-recording':
        if (lab.openDialogs) return replay.openWithDialog()
        view.show('sessions')
        return view.request('open-recording')
      case 'file.reset-settings':
        return settings.reset()
      case 'file.quit':
        try {
          await labConnection().api.quit()
        } catch (err) {
          error.value = (err as LabError).message
        }
        return
      case 'view.pause':
        // In a replay, Space plays and pauses it; live, it pauses the display.
        if (lab.source !== 'live') return replay.playing ? replay.pause() : replay.play()
        return lab.setPaused(!lab.paused)
      case 'view.theme-system':
      case 'view.theme-light':
      case 'view.theme-dark':
        return settings.setTheme(id.slice('view.theme-'.length) as 'system' | 'light' | 'dark')
    }
  }

  /** The window's one key handler: every accelerator of the list. Single keys wait while a field or a dialog has focus. */
  function onKey(ev: KeyboardEvent): void {
    const single = !ev.ctrlKey && !ev.metaKey && !ev.altKey
    for (const c of APP_COMMANDS) {
      if (!c.accelerator || !matchesAccelerator(c.accelerator, ev, isMac())) continue
      const onButton = c.accelerator === 'Space' && (ev.target as HTMLElement | null)?.tagName === 'BUTTON'
      if (
        single &&
        (isTyping(ev.target) || onButton || overlay.value !== null || document.querySelector('dialog[open]'))
      )
        return
      // A dialog of its own (a confirmation) keeps the keys; the app's overlays give way to the next command.
      if (!single && document.querySelector('dialog[open]:not([data-overlay])')) return
      ev.preventDefault()
      overlay.value = null
      void run(c.id)
      return
    }
  }

  const commands: readonly AppCommand[] = APP_COMMANDS

  return { overlay, error, commands, open, run, onKey }
})
