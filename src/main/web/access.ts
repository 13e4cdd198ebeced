// Who may talk to the browser-mode server: a random token, and the server's own Host and Origin.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** 32 random bytes, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url')
}

export function sameToken(given: string | null | undefined, token: string): boolean {
  if (typeof given !== 'string') return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The names this server answers to; anything else in Host is DNS rebinding or a mistake. */
export function ownHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`]
}

export function isOwnHost(req: IncomingMessage, port: number): boolean {
  return ownHosts(port).includes((req.headers.host ?? '').toLowerCase())
}

/** The WebSocket's Origin must be this server's own origin, as reached through the same Host. */
export function isOwnOrigin(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin
  return (
    isOwnHost(req, port) &&
    typeof origin === 'string' &&
    origin.toLowerCase() === `http://${(req.headers.host ?? '').toLowerCase()}`
  )
}
