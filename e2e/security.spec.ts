// The browser mode's doors, tried from real Chromium and from Node: token on every request, own Origin on the socket.
import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Page } from '@playwright/test'
import NodeWebSocket from 'ws'
import type { ServerFrame } from '../src/shared/wire'
import { expect, startLabServer, test } from './fixtures/lab'

/** Opens a WebSocket from inside the page; 'open' or 'refused'. */
function tryFromPage(page: Page, url: string): Promise<string> {
  return page.evaluate(
    (u) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(u)
        ws.onopen = () => {
          ws.close()
          resolve('open')
        }
        ws.onerror = () => resolve('refused')
      }),
    url,
  )
}

/** Opens a WebSocket from Node with the given Origin; the HTTP status it was refused with, or 101. */
function statusFromNode(url: string, origin?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new NodeWebSocket(url, origin ? { origin } : {})
    ws.once('open', () => {
      ws.close()
      resolve(101)
    })
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0)
      ws.terminate()
    })
    ws.once('error', reject)
  })
}

test.describe('browser mode access', () => {
  test('HTTP without the token is refused; with it the page and all its assets load', async ({
    page,
    request,
    labServer,
  }) => {
    expect((await request.get(`${labServer.origin}/`)).status()).toBe(401)
    expect((await request.get(`${labServer.origin}/index.html?token=wrong`)).status()).toBe(401)
    expect((await request.get(`${labServer.origin}/assets/x.js`)).status()).toBe(401)

    const statuses: number[] = []
    const failed: string[] = []
    page.on('response', (r) => {
      if (r.url().startsWith(labServer.origin)) statuses.push(r.status())
    })
    page.on('requestfailed', (r) => failed.push(r.url()))
    const res = await page.goto(labServer.url)
    expect(res?.status()).toBe(200)
    const csp = res?.headers()['content-security-policy'] ?? ''
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    await page.waitForLoadState('networkidle')
    expect(statuses.length).toBeGreaterThan(1)
    // One redirect, from the printed address to the per-launch capability folder; then the page and its assets.
    expect(statuses.filter((s) => s !== 200)).toEqual([302])
    expect(new URL(page.url()).pathname).toMatch(/^\/s\/[A-Za-z0-9_-]{43}\/$/)
    expect(failed).toEqual([])
  })

  test('the token never reaches another server on 127.0.0.1: no cookie carries it, no request to it names it', async ({
    page,
    labServer,
  }) => {
    const seen: { url: string; headers: Record<string, string | string[] | undefined> }[] = []
    const other: Server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers })
      res.setHeader('Content-Type', 'text/html')
      res.end('<!doctype html><title>another local server</title><img src="/pixel.png"><script src="/app.js"></script>')
    })
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve))
    try {
      await page.goto(labServer.url)
      await page.waitForLoadState('networkidle')
      expect(await page.context().cookies()).toEqual([])
      const otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`
      await page.goto(`${otherOrigin}/`)
      await page.waitForLoadState('networkidle')
      await page.evaluate((o) => fetch(`${o}/api`, { credentials: 'include' }).then((r) => r.text()), otherOrigin)
      // The lab's page again, then a link to the other server: no Referer either.
      await page.goto(labServer.url)
      await page.evaluate(
        (o) => fetch(`${o}/from-lab`, { credentials: 'include', mode: 'no-cors' }).catch(() => null),
        otherOrigin,
      )
      await expect.poll(() => seen.length).toBeGreaterThanOrEqual(4)
      for (const r of seen) {
        expect(JSON.stringify(r)).not.toContain(labServer.token)
        expect(r.headers.cookie ?? '').toBe('')
      }
    } finally {
      other.close()
    }
  })

  test('the socket refuses no token, a wrong token and a foreign Origin, and accepts the right one', async ({
    page,
    labServer,
  }) => {
    const ws = `ws://127.0.0.1:${labServer.port}/ws`
    await page.goto(labServer.url)
    expect(await tryFromPage(page, ws)).toBe('refused')
    expect(await tryFromPage(page, `${ws}?token=wrong`)).toBe('refused')
    expect(await tryFromPage(page, `${ws}?token=${labServer.token}`)).toBe('open')

    // The right token used by another site: its Origin gives it away.
    const foreign: Server = createServer((_req, res) => res.end('<!doctype html><title>elsewhere</title>'))
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve))
    try {
      const other = await page.context().newPage()
      await other.goto(`http://127.0.0.1:${(foreign.address() as AddressInfo).port}/`)
      expect(await tryFromPage(other, `${ws}?token=${labServer.token}`)).toBe('refused')
      await other.close()
    } finally {
      foreign.close()
    }

    expect(await statusFromNode(ws, labServer.origin)).toBe(401)
    expect(await statusFromNode(`${ws}?token=wrong`, labServer.origin)).toBe(401)
    expect(await statusFromNode(`${ws}?token=${labServer.token}`, 'http://evil.example')).toBe(403)
    expect(await statusFromNode(`${ws}?token=${labServer.token}`)).toBe(403)
    expect(await statusFromNode(`${ws}?token=${labServer.token}`, labServer.origin)).toBe(101)
  })

  test('a call from the page reaches the real lab', async ({ page, labServer }) => {
    await page.goto(labServer.url)
    const pid = await page.evaluate(
      (u) =>
        new Promise<number>((resolve, reject) => {
          const ws = new WebSocket(u)
          ws.onopen = () => ws.send(JSON.stringify({ id: 1, cmd: 'snapshot' }))
          ws.onmessage = (ev) => {
            const frame = JSON.parse(ev.data as string)
            if (frame.id !== 1) return
            ws.close()
            if (frame.reply.ok) resolve(frame.reply.value.pid)
            else reject(new Error(frame.reply.error.message))
          }
        }),
      `ws://127.0.0.1:${labServer.port}/ws?token=${labServer.token}`,
    )
    expect(pid).toBe(labServer.pid)
  })
})

test('SIGTERM ends the browser mode and every process the lab started', async () => {
  const server = await startLabServer()
  try {
    const ws = new NodeWebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: server.origin })
    const pids = await new Promise<number[]>((resolve, reject) => {
      const seen = new Map<string, number>()
      ws.on('error', reject)
      ws.on('open', () =>
        ws.send(
          JSON.stringify({
            id: 1,
            cmd: 'start',
            payload: { scenario: 'counters', params: { mode: 'process', loop: true } },
          }),
        ),
      )
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as ServerFrame
        if ('id' in frame && !frame.reply.ok) reject(new Error(frame.reply.error.message))
        if (!('event' in frame) || frame.event !== 'tick') return
        for (const u of frame.payload.units) if (u.kind === 'process' && u.state !== 'starting') seen.set(u.id, u.pid)
        if (seen.size >= 2) resolve([...seen.values()])
      })
    })
    for (const pid of pids) expect(existsSync(`/proc/${pid}`)).toBe(true)
    expect(await server.stop()).toBe(0)
    for (const pid of pids) await expect.poll(() => existsSync(`/proc/${pid}`), { timeout: 5000 }).toBe(false)
    ws.terminate()
  } finally {
    await server.stop()
  }
})
