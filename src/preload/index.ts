// window.lab: the LabApi over ipcRenderer, one method per command and one subscription per event; no generic invoke or send.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import type { LabApi, LabErrorInfo, Reply } from '../shared/contract'
import { COMMANDS, EVENTS, subscriptionName } from '../shared/contract'
import { commandChannel, eventChannel } from '../shared/ipc-channels'

const lab: Record<string, unknown> = {}

for (const cmd of COMMANDS) {
  lab[cmd] = async (payload?: unknown): Promise<unknown> => {
    const reply = (await ipcRenderer.invoke(commandChannel(cmd), payload)) as Reply<unknown>
    if (reply.ok) return reply.value
    // A plain LabErrorInfo crosses the context bridge with its fields; an Error would keep only its message.
    return Promise.reject<LabErrorInfo>(reply.error)
  }
}

for (const event of EVENTS) {
  lab[subscriptionName(event)] = (listener: (payload: unknown) => void) => {
    if (typeof listener !== 'function') throw new TypeError(`${subscriptionName(event)} needs a function.`)
    const channel = eventChannel(event)
    const handler = (_event: IpcRendererEvent, payload: unknown): void => listener(payload)
    ipcRenderer.on(channel, handler)
    return () => void ipcRenderer.removeListener(channel, handler)
  }
}

contextBridge.exposeInMainWorld('lab', lab as LabApi)
