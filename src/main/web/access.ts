// Who may talk to the browser-mode server: a random token, the server's own Host and Origin, and the cookie that lets the page load its assets.
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

/**
 * The page's assets (scripts, styles, fonts) are requested by the browser without the page's query string,
 * so the first request with `?token=` sets this cookie: HttpOnly (scripts cannot read it), SameSite=Strict
 * (no other site can make the browser send it), named after the port (cookies ignore ports, so two servers must not collide).
 */
export function cookieName(port: number): string {
  return `parallel-lab-${port}`
}

export function setCookieHeader(port: number, token: string): string {
  return `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`
}

export function cookieToken(req: IncomingMessage, port: number): string | null {
  const header = req.headers.cookie
  if (!header) return null
  const name = cookieName(port)
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return null
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
  return isOwnHost(req, port) && typeof origin === 'string' && origin.toLowerCase() === `http://${(req.headers.host ?? '').toLowerCase()}`
}
