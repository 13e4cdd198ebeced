// Binds the LabApi to ipcMain: every handler checks the sender frame and the payload; ticks go to the app's windows.
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron'
import type { LabApi, Reply } from '../shared/contract'
import { COMMANDS, EVENTS, subscriptionName } from '../shared/contract'
import { commandChannel, eventChannel } from '../shared/ipc-channels'
import { callCommand } from './dispatch'

export interface IpcBinding {
  /** True for a URL of the app's own renderer. */
  isAppUrl(url: string): boolean
  /** The web contents that receive pushed events. */
  targets(): WebContents[]
}

const refused: Reply<never> = {
  ok: false,
  error: { code: 'invalid', message: 'Only the Parallel Lab window may talk to the lab.' },
}

/** Only the top frame of a page the app itself loaded may call the lab. */
function trusted(event: IpcMainInvokeEvent, binding: IpcBinding): boolean {
  const frame = event.senderFrame
  return frame !== null && frame.parent === null && binding.isAppUrl(frame.url)
}

/** Registers one handler per command and forwards ticks; returns the undo. */
export function bindLabToIpc(lab: LabApi, binding: IpcBinding): () => void {
  for (const cmd of COMMANDS) {
    ipcMain.handle(commandChannel(cmd), async (event, payload: unknown) =>
      trusted(event, binding) ? callCommand(lab, cmd, payload) : refused,
    )
  }
  const unsubscribes = EVENTS.map((name) =>
    lab[subscriptionName(name)]((payload) => {
      for (const contents of binding.targets()) {
        if (!contents.isDestroyed() && binding.isAppUrl(contents.getURL())) contents.send(eventChannel(name), payload)
      }
    }),
  )
  return () => {
    for (const cmd of COMMANDS) ipcMain.removeHandler(commandChannel(cmd))
    unsubscribes.forEach((off) => off())
  }
}
