// The only module that knows the transport: Electron's `window.lab`, or the browser mode's WebSocket.
import type { CommandName, EventName, LabApi, LabCommandMap, LabErrorInfo, Unsubscribe } from '../../shared/contract'
import { COMMANDS, EVENTS, LabError, subscriptionName } from '../../shared/contract'
import type { CallFrame, ServerFrame } from '../../shared/wire'
import { TOKEN_PARAM, WS_PATH } from '../../shared/wire'

/** 'refused': the server turned this page away for good (a stale token); no retry. */
export type ConnectionState = 'connecting' | 'open' | 'closed' | 'refused'

export interface LabConnection {
  api: LabApi
  /** 'electron' when the preload provides window.lab, else 'browser'. */
  transport: 'electron' | 'browser'
  /** Whether the lab can show the system's Open dialog (the desktop app); the views ask this, not the transport. */
  openDialogs: boolean
  onState(listener: (state: ConnectionState, reason: string | null) => void): Unsubscribe
}

function isErrorInfo(v: unknown): v is LabErrorInfo {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as LabErrorInfo).message === 'string' &&
    typeof (v as LabErrorInfo).code === 'string'
  )
}

/** Whatever a transport rejects with becomes a LabError whose message is a sentence. */
export function toLabError(err: unknown): LabError {
  if (err instanceof LabError) return err
  if (isErrorInfo(err)) return LabError.from(err)
  const raw = err instanceof Error ? err.message : String(err)
  // Electron prefixes remote errors: "Error invoking remote method 'start': LabError: ..."
  const message = raw.replace(/^Error invoking remote method '[^']*': /, '').replace(/^(Lab)?Error: /, '')
  return new LabError('failed', message || 'The lab did not answer.')
}

type Listener = (payload: unknown) => void
type Subscribe = (listener: Listener) => Unsubscribe

function wrap(api: LabApi): LabApi {
  const out: Record<string, unknown> = {}
  for (const event of EVENTS) {
    const name = subscriptionName(event)
    const subscribe = (api as unknown as Record<string, Subscribe>)[name]
    out[name] = (fn: Listener) => subscribe.call(api, fn)
  }
  for (const name of COMMANDS) {
    const fn = api[name] as (req?: unknown) => Promise<unknown>
    out[name] = (req?: unknown) => fn.call(api, req).catch((err: unknown) => Promise.reject(toLabError(err)))
  }
  return out as LabApi
}

const RECONNECT_MS = [250, 500, 1000, 2000, 4000]

export const REFUSED =
  'The lab refused this page: its address or token is no longer valid (the lab was restarted?). Open the address that "npm run web" printed.'
const LOST = 'The connection to the lab was lost.'

/**
 * Whether the server turns this page away. A refused WebSocket upgrade (401, 403) reaches the page only as close code
 * 1006, like a lost connection; asking for the page itself tells the two apart. A server that does not answer is lost.
 */
export async function pageRefused(pageUrl: string): Promise<boolean> {
  try {
    const res = await fetch(pageUrl, { method: 'HEAD', cache: 'no-store', redirect: 'manual' })
    return res.status === 401 || res.status === 403
  } catch {
    return false
  }
}

/**
 * LabApi over the browser mode's socket; reconnects on its own and replays nothing (callers re-snapshot). A page the
 * server refuses says so and stops retrying.
 */
export function socketConnection(url: string, isRefused: () => Promise<boolean>): LabConnection {
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: LabError) => void }>()
  const listeners = new Map<EventName, Set<Listener>>(EVENTS.map((e) => [e, new Set<Listener>()]))
  const stateListeners = new Set<(s: ConnectionState, reason: string | null) => void>()
  const queue: string[] = []
  let nextId = 1
  let socket: WebSocket
  let attempt = 0
  let refusedForGood = false

  const setState = (s: ConnectionState, reason: string | null): void => stateListeners.forEach((fn) => fn(s, reason))

  const open = (): void => {
    socket = new WebSocket(url)
    setState('connecting', null)
    socket.onopen = () => {
      attempt = 0
      for (const frame of queue.splice(0)) socket.send(frame)
      setState('open', null)
    }
    socket.onmessage = (ev: MessageEvent<string>) => {
      const frame = JSON.parse(ev.data) as ServerFrame
      if ('event' in frame) {
        listeners.get(frame.event)?.forEach((fn) => fn(frame.payload))
        return
      }
      const call = pending.get(frame.id)
      if (!call) return
      pending.delete(frame.id)
      if (frame.reply.ok) call.resolve(frame.reply.value)
      else call.reject(LabError.from(frame.reply.error))
    }
    socket.onclose = () => {
      void isRefused().then((refused) => {
        const reason = refused ? REFUSED : LOST
        for (const call of pending.values()) call.reject(new LabError('failed', reason))
        pending.clear()
        if (refused) {
          refusedForGood = true
          queue.length = 0
        }
        setState(refused ? 'refused' : 'closed', reason)
        if (refused) return
        const delay = RECONNECT_MS[Math.min(attempt++, RECONNECT_MS.length - 1)]
        setTimeout(open, delay)
      })
    }
  }

  const call = (cmd: CommandName, payload?: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (refusedForGood) return reject(new LabError('failed', REFUSED))
      const id = nextId++
      pending.set(id, { resolve, reject })
      const frame: CallFrame = payload === undefined ? { id, cmd } : { id, cmd, payload }
      const text = JSON.stringify(frame)
      if (socket.readyState === WebSocket.OPEN) socket.send(text)
      else queue.push(text)
    })

  const api: Record<string, unknown> = {}
  for (const event of EVENTS) {
    const set = listeners.get(event)!
    api[subscriptionName(event)] = (listener: Listener): Unsubscribe => {
      set.add(listener)
      return () => set.delete(listener)
    }
  }
  for (const name of COMMANDS) api[name] = (req?: LabCommandMap[typeof name]['req']) => call(name, req)
  open()
  return {
    api: api as LabApi,
    transport: 'browser',
    openDialogs: false,
    onState(listener) {
      stateListeners.add(listener)
      listener(socket.readyState === WebSocket.OPEN ? 'open' : 'connecting', null)
      return () => stateListeners.delete(listener)
    },
  }
}

export function socketUrl(location: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const token = new URLSearchParams(location.search).get(TOKEN_PARAM) ?? ''
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}${WS_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}`
}

let connection: LabConnection | null = null

export function labConnection(): LabConnection {
  if (connection) return connection
  const bridge = (globalThis as { lab?: LabApi }).lab
  if (bridge) {
    connection = {
      api: wrap(bridge),
      transport: 'electron',
      openDialogs: true,
      onState: (fn) => (fn('open', null), () => undefined),
    }
  } else {
    const c = socketConnection(socketUrl(window.location), () => pageRefused(window.location.href))
    connection = { ...c, api: wrap(c.api) }
  }
  return connection
}
