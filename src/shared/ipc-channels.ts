// Electron IPC channel names for the LabApi: one per command (invoke/handle) and one per pushed event.
import type { CommandName, EventName } from './contract'

export function commandChannel(cmd: CommandName): `lab:${CommandName}` {
  return `lab:${cmd}`
}

export function eventChannel(event: EventName): `lab:event:${EventName}` {
  return `lab:event:${event}`
}
