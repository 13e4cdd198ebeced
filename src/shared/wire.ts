// Browser-mode wire format: the LabApi carried over one WebSocket as JSON frames.
import type { CommandName, EventName, LabEventMap, Reply } from './contract'

/** Client -> server: call a command. `id` pairs the reply. */
export interface CallFrame {
  id: number
  cmd: CommandName
  payload?: unknown
}

/** Server -> client: the reply to a call. */
export interface ReplyFrame {
  id: number
  reply: Reply<unknown>
}

/** Server -> client: a pushed event (every connected client gets every event). A union over events, so `event` narrows `payload`. */
export type EventFrame<E extends EventName = EventName> = E extends EventName
  ? { event: E; payload: LabEventMap[E] }
  : never

export type ServerFrame = ReplyFrame | EventFrame

/** Path of the socket; the page URL's `token` query parameter must be repeated on it. */
export const WS_PATH = '/ws'
export const TOKEN_PARAM = 'token'
