// Browser mode: serves the built renderer over HTTP and carries the LabApi over one WebSocket, on 127.0.0.1 only.
import { createReadStream } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import type { LabApi, LabCommands } from '../../shared/contract'
import { EVENTS, subscriptionName } from '../../shared/contract'
import type { EventFrame, ReplyFrame } from '../../shared/wire'
import { TOKEN_PARAM, WS_PATH } from '../../shared/wire'
import { callCommand } from '../dispatch'
import { echo, own } from '../../shared/bounds'
import { isOwnHost, isOwnOrigin, newToken, sameToken } from './access'
import { contentType, rendererCsp, resolveRendererFile } from './renderer-files'

export interface WebServerOptions {
  lab: LabApi
  /** The built renderer, usually out/renderer. */
  rendererDir: string
  /** 0 or absent: a free port chosen by the OS. */
  port?: number
  /** Fixed token (tests); a random one otherwise. */
  token?: string
}

export interface WebServer {
  /** The page to open, token included. */
  url: string
  origin: string
  token: string
  port: number
  close(): Promise<void>
}

/** Commands are a few hundred bytes; anything near this is garbage. */
export const MAX_FRAME_BYTES = 64 * 1024
/** A client this far behind on ticks is dropped; it reconnects and takes a snapshot. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024
/** Calls of one client in progress at most, and its unread reply bytes, before its socket is no longer read. */
export const MAX_PENDING_CALLS = 32
export const REPLY_HIGH_WATER_BYTES = 1024 * 1024
const THROTTLE_POLL_MS = 10
/** Clients at once: each may hold up to MAX_BUFFERED_BYTES of unsent events. */
export const MAX_CLIENTS = 16
/** Top folder of the capability path: /s/<capability>/ serves the page's assets. */
export const CAPABILITY_DIR = 's'
/** Id of the reply to a frame that carried no usable id (calls are numbered from 1). */
export const UNPAIRED_ID = 0

export class PortInUseError extends Error {}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? newToken()
  /** The folder the page and its assets are served under, new at each launch. */
  const capability = newToken()
  const http = createServer()
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false })

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void =>
      reject(
        err.code === 'EADDRINUSE'
          ? new PortInUseError(
              `Port ${opts.port} is already in use: choose another with --port, or leave --port out for a free one.`,
            )
          : err,
      )
    http.once('error', onError)
    http.listen(opts.port ?? 0, '127.0.0.1', () => {
      http.off('error', onError)
      resolve()
    })
  })
  const port = (http.address() as AddressInfo).port
  const origin = `http://127.0.0.1:${port}`
  const csp = rendererCsp([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`])

  http.on('request', (req, res) => {
    serveFile(req, res).catch(() => refuse(res, 500, 'The file could not be read.'))
  })

  async function serveFile(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isOwnHost(req, port)) return refuse(res, 403, `This server answers only to ${origin}.`)
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      return refuse(res, 405, 'Only GET and HEAD are served here.')
    }
    const url = new URL(req.url ?? '/', origin)
    if (url.pathname === WS_PATH) return refuse(res, 426, 'This address is the WebSocket; it needs an upgrade request.')
    // The page carries its icon inline; a browser that still asks for the conventional one gets "nothing", not an error.
    if (url.pathname === '/favicon.ico') {
      res.statusCode = 204
      return void res.end()
    }
    const queryOk = sameToken(url.searchParams.get(TOKEN_PARAM), token)
    const [, top, given, ...rest] = url.pathname.split('/')
    const inCapability = top === CAPABILITY_DIR && sameToken(given, capability)
    const path = inCapability ? `/${rest.join('/')}` : url.pathname
    const isPage = path === '/' || path === '/index.html'
    // The page needs the token in its URL (it reads it from there for the socket). Its assets are fetched without a
    // query string, by relative paths below the per-launch capability folder the page was sent to: no cookie holds a
    // credential, so no other server on 127.0.0.1 (cookies ignore ports) ever receives one.
    if (!queryOk && (isPage || !inCapability)) {
      return refuse(res, 401, 'Open the address that "npm run web" printed: it carries the access token.')
    }
    if (isPage && !inCapability) {
      res.statusCode = 302
      res.setHeader('Location', `/${CAPABILITY_DIR}/${capability}/?${TOKEN_PARAM}=${encodeURIComponent(token)}`)
      res.setHeader('Cache-Control', 'no-store')
      res.setHeader('Referrer-Policy', 'no-referrer')
      return void res.end()
    }
    const file = await resolveRendererFile(opts.rendererDir, path)
    if (!file) {
      return isPage
        ? refuse(res, 503, 'The renderer is not built yet: run "npm run build".')
        : refuse(res, 404, 'There is no such file.')
    }
    res.statusCode = 200
    res.setHeader('Content-Type', contentType(file))
    securityHeaders(res, csp)
    res.setHeader('Cache-Control', isPage ? 'no-store' : 'no-cache')
    if (req.method === 'HEAD') return void res.end()
    const stream = createReadStream(file)
    stream.on('error', () => res.destroy())
    stream.pipe(res)
  }

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const url = new URL(req.url ?? '/', origin)
    if (url.pathname !== WS_PATH) return rejectUpgrade(socket, 404, 'Not Found')
    if (!sameToken(url.searchParams.get(TOKEN_PARAM), token)) return rejectUpgrade(socket, 401, 'Unauthorized')
    if (!isOwnOrigin(req, port)) return rejectUpgrade(socket, 403, 'Forbidden')
    if (wss.clients.size >= MAX_CLIENTS) return rejectUpgrade(socket, 503, 'Service Unavailable')
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })

  wss.on('connection', (ws: WebSocket) => {
    ws.on('error', () => ws.terminate())
    // A client that floods or does not read is throttled: while it has too many calls unanswered or too many reply
    // bytes unread, the lab stops reading its socket (TCP pushes back on it) and keeps the few frames already read as
    // they came (a few bytes each), instead of answering them into replies it would have to hold.
    let pending = 0
    const backlog: { data: RawData; isBinary: boolean }[] = []
    let polling = false
    let turnUsed = false
    const full = (): boolean => pending >= MAX_PENDING_CALLS || ws.bufferedAmount > REPLY_HIGH_WATER_BYTES
    // One command per turn of the event loop: frames that arrive together (a client starting five runs at once) are
    // answered one after another with the loop free in between, so a tick that falls due runs between two of them
    // rather than after all (starting a run spawns its processes and threads synchronously). The next one waits on a
    // timer, not an immediate: timers run in the order they fell due, so a tick already due goes first.
    const pump = (): void => {
      if (turnUsed) {
        if (backlog.length > 0 && !ws.isPaused) ws.pause()
        return
      }
      if (backlog.length > 0 && !full()) {
        const { data, isBinary } = backlog.shift()!
        pending++
        void answer(opts.lab, data, isBinary).then((frame) => {
          pending--
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame))
          pump()
        })
        turnUsed = true
        setTimeout(() => {
          turnUsed = false
          later()
        }, 0)
        if (backlog.length > 0 && !ws.isPaused) ws.pause()
        return
      }
      if (full() || backlog.length > 0) {
        if (!ws.isPaused) ws.pause()
        if (!polling) {
          polling = true
          setTimeout(() => {
            polling = false
            later()
          }, THROTTLE_POLL_MS).unref()
        }
      } else if (ws.isPaused) ws.resume()
    }
    // A socket that is closing is read again (its peer's close frame must get through), and nothing more is answered.
    const later = (): void => {
      if (ws.readyState === ws.OPEN) pump()
      else if (ws.isPaused) ws.resume()
    }
    ws.on('message', (data: RawData, isBinary: boolean) => {
      backlog.push({ data, isBinary })
      pump()
    })
  })

  // Every event the contract names reaches every client, serialised once.
  const unsubscribes = EVENTS.map((event) =>
    opts.lab[subscriptionName(event)]((payload: unknown) => {
      if (wss.clients.size === 0) return
      const text = JSON.stringify({ event, payload } as EventFrame)
      for (const ws of wss.clients) {
        if (ws.readyState !== ws.OPEN) continue
        if (ws.bufferedAmount > MAX_BUFFERED_BYTES) ws.terminate()
        else ws.send(text)
      }
    }),
  )

  let closing: Promise<void> | null = null
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      unsubscribes.forEach((off) => off())
      for (const ws of wss.clients) ws.close(1001, 'The lab is shutting down.')
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      for (const ws of wss.clients) ws.terminate()
      await new Promise<void>((resolve) => {
        http.close(() => resolve())
        http.closeAllConnections()
      })
    })())

  return { url: `${origin}/?${TOKEN_PARAM}=${token}`, origin, token, port, close }
}

/** Parses one client frame and runs it. Every frame gets a reply, garbage included; nothing here throws. */
export async function answer(lab: LabCommands, data: RawData, isBinary: boolean): Promise<ReplyFrame> {
  const invalid = (message: string, field: string): ReplyFrame => ({
    id: UNPAIRED_ID,
    reply: { ok: false, error: { code: 'invalid', message, field } },
  })
  if (isBinary) return invalid('Messages must be JSON text, not binary.', 'frame')
  let frame: unknown
  try {
    frame = JSON.parse(rawText(data))
  } catch {
    return invalid('The message is not valid JSON.', 'frame')
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame))
    return invalid('A message must be an object like {"id": 1, "cmd": "snapshot"}.', 'frame')
  for (const key of Object.keys(frame)) {
    if (!['id', 'cmd', 'payload'].includes(key))
      return invalid(`${echo(key)} is not part of a message (it takes id, cmd, payload).`, key)
  }
  const id = own(frame, 'id')
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1)
    return invalid(`A message needs an "id" that is a whole number from 1 up (got ${echo(id)}).`, 'id')
  return { id, reply: await callCommand(lab, own(frame, 'cmd'), own(frame, 'payload')) }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data as ArrayBuffer).toString('utf8')
}

function securityHeaders(res: ServerResponse, csp: string): void {
  res.setHeader('Content-Security-Policy', csp)
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('Referrer-Policy', 'no-referrer')
  res.setHeader('X-Frame-Options', 'DENY')
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin')
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
}

function refuse(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) return void res.destroy()
  res.statusCode = status
  res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  res.setHeader('Content-Security-Policy', "default-src 'none'")
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('Cache-Control', 'no-store')
  res.end(message + '\n')
}

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  if (socket.writable) socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  socket.destroy()
}
