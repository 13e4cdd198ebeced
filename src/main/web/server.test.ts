// The browser-mode server against a real Lab: who may connect, what garbage gets back, and that ticks arrive.
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { ReplyFrame, ServerFrame } from '../../shared/wire'
import { scenarios } from '../../../scenarios/index'
import { Lab } from '../lab/lab'
import { MAX_FRAME_BYTES, startWebServer, type WebServer } from './server'

let lab: Lab
let server: WebServer
let rendererDir: string

beforeAll(async () => {
  rendererDir = mkdtempSync(join(tmpdir(), 'lab-renderer-'))
  writeFileSync(
    join(rendererDir, 'index.html'),
    '<!doctype html><title>Parallel Lab</title><script type="module" src="./assets/app.js"></script>',
  )
  mkdirSync(join(rendererDir, 'assets'))
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'export {}')
  writeFileSync(join(rendererDir, 'assets', 'app.css'), 'body{}')
  writeFileSync(join(rendererDir, '.secret'), 'no')
  // Symlinks out of the folder (a file and a folder) must never be followed; one inside it may be.
  symlinkSync('/etc/passwd', join(rendererDir, 'assets', 'passwd.js'))
  symlinkSync('/etc', join(rendererDir, 'etc'))
  symlinkSync(join(rendererDir, 'assets', 'app.js'), join(rendererDir, 'assets', 'alias.js'))
  lab = new Lab({ scenarios, intervalMs: 100 })
  server = await startWebServer({ lab, rendererDir })
})

afterAll(async () => {
  await server?.close()
  await lab?.close()
  rmSync(rendererDir, { recursive: true, force: true })
})

interface HttpResult {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Opens a socket; resolves with it once open, or with the HTTP status the upgrade was refused with. */
function connect(query: string, origin: string | null = server.origin): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws${query}`, origin === null ? {} : { origin })
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0)
      ws.terminate()
    })
    ws.once('error', reject)
  })
}

async function open(): Promise<WebSocket> {
  const ws = await connect(`?token=${server.token}`)
  if (typeof ws === 'number') throw new Error(`refused with ${ws}`)
  return ws
}

/** Sends raw text and waits for the reply frame with `id` (ticks are skipped). */
function exchange(ws: WebSocket, text: string, id: number): Promise<ReplyFrame> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const frame = JSON.parse(data.toString()) as ServerFrame
      if ('id' in frame && frame.id === id) {
        ws.off('message', onMessage)
        resolve(frame)
      }
    }
    ws.on('message', onMessage)
    ws.send(text)
  })
}

describe('access', () => {
  it('binds 127.0.0.1 on a random port and prints a URL with a long random token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`)
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(server.port).toBeGreaterThan(0)
  })

  it('serves the page only with the token, under a per-launch capability folder that its assets load from; no cookie', async () => {
    expect((await get('/')).status).toBe(401)
    expect((await get('/?token=wrong')).status).toBe(401)
    const first = await get(`/?token=${server.token}`)
    expect(first.status).toBe(302)
    expect(first.headers['set-cookie']).toBeUndefined()
    const location = String(first.headers.location)
    const [, dir, capability] = location.split('?')[0].split('/')
    expect(dir).toBe('s')
    expect(capability).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(capability).not.toBe(server.token)
    expect(location).toBe(`/s/${capability}/?token=${server.token}`)
    const page = await get(location)
    expect(page.status).toBe(200)
    expect(page.headers['set-cookie']).toBeUndefined()
    // The page itself still needs the token; a wrong capability folder gives nothing.
    expect((await get(`/s/${capability}/`)).status).toBe(401)
    expect((await get(`/s/${capability.slice(1)}x/assets/app.js`)).status).toBe(401)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.headers['content-security-policy']).toContain("script-src 'self'")
    expect(page.headers['content-security-policy']).toContain(`ws://127.0.0.1:${server.port}`)
    expect(page.headers['content-security-policy']).not.toMatch(/script-src[^;]*unsafe/)
    expect(page.headers['x-content-type-options']).toBe('nosniff')

    expect((await get('/assets/app.js')).status).toBe(401)
    // Even an old cookie is no credential any more.
    expect((await get('/assets/app.js', { cookie: `parallel-lab-${server.port}=${server.token}` })).status).toBe(401)
    const js = await get(`/s/${capability}/assets/app.js`)
    expect(js.status).toBe(200)
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
    const css = await get(`/assets/app.css?token=${server.token}`)
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8')
  })

  it('refuses a foreign Host (DNS rebinding), other methods, traversal and dot-files', async () => {
    const t = `?token=${server.token}`
    expect((await get(`/${t}`, { host: `evil.example:${server.port}` })).status).toBe(403)
    expect((await get(`/${t}`, {}, 'POST')).status).toBe(405)
    expect((await get(`/..%2f..%2fetc%2fpasswd${t}`)).status).toBe(404)
    expect((await get(`/.secret${t}`)).status).toBe(404)
    expect((await get(`/nothing.js${t}`)).status).toBe(404)
    const passwd = await get(`/assets/passwd.js${t}`)
    expect(passwd.status).toBe(404)
    expect(passwd.body).not.toContain('root:')
    expect((await get(`/etc/passwd${t}`)).status).toBe(404)
    expect((await get(`/etc/hostname${t}`)).status).toBe(404)
    expect((await get(`/assets/alias.js${t}`)).status).toBe(200)
    // No 404 for the icon browsers ask for on every load (the page's icon is inline).
    expect((await get('/favicon.ico')).status).toBe(204)
  })

  it('refuses a WebSocket without the token, with a wrong token, from a foreign Origin or with no Origin', async () => {
    expect(await connect('')).toBe(401)
    expect(await connect('?token=nope')).toBe(401)
    expect(await connect(`?token=${server.token}`, 'http://evil.example')).toBe(403)
    expect(await connect(`?token=${server.token}`, `http://127.0.0.1:${server.port + 1}`)).toBe(403)
    expect(await connect(`?token=${server.token}`, null)).toBe(403)
    const ws = await open()
    expect(ws.readyState).toBe(WebSocket.OPEN)
    ws.close()
  })
})

describe('frames', () => {
  it('answers a call with the lab value, and bad payloads with readable sentences', async () => {
    const ws = await open()
    const snap = await exchange(ws, JSON.stringify({ id: 1, cmd: 'snapshot' }), 1)
    expect(snap.reply.ok).toBe(true)
    if (snap.reply.ok) expect((snap.reply.value as { pid: number }).pid).toBe(process.pid)

    const bad = await exchange(ws, JSON.stringify({ id: 2, cmd: 'setSamplingInterval', payload: { ms: 'fast' } }), 2)
    expect(bad.reply).toEqual({
      ok: false,
      error: expect.objectContaining({
        code: 'invalid',
        field: 'ms',
        message: 'ms must be a whole number from 100 to 5000 (got "fast").',
      }),
    })

    const unknown = await exchange(ws, JSON.stringify({ id: 3, cmd: 'rm -rf', payload: {} }), 3)
    expect(unknown.reply.ok).toBe(false)
    if (!unknown.reply.ok)
      expect(unknown.reply.error.message).toMatch(
        /^There is no command "rm -rf"\. Commands: listScenarios openProgram /,
      )

    const missing = await exchange(ws, JSON.stringify({ id: 4, cmd: 'start', payload: { scenario: 'nope' } }), 4)
    expect(missing.reply).toMatchObject({ ok: false, error: { code: 'not-found', field: 'scenario' } })

    const params = await exchange(
      ws,
      JSON.stringify({ id: 5, cmd: 'start', payload: { scenario: 'counters', params: { workers: 99 } } }),
      5,
    )
    expect(params.reply).toMatchObject({ ok: false, error: { code: 'invalid', field: 'workers' } })
    if (!params.reply.ok) expect(params.reply.error.message).toMatch(/^workers must be [^\n]*\.$/)
    ws.close()
  })

  it('answers garbage with id 0 and a sentence, and stays up', async () => {
    const ws = await open()
    for (const text of ['{not json', '[1,2]', '{"cmd":"snapshot"}', '{"id":-4,"cmd":"snapshot"}', 'null']) {
      const frame = await exchange(ws, text, 0)
      expect(frame.reply.ok).toBe(false)
      if (!frame.reply.ok) {
        expect(frame.reply.error.message).toMatch(/^[A-Z][^\n]*\.$/)
        expect(frame.reply.error.message).not.toMatch(/ at |Error:/)
      }
    }
    const binary = new Promise<ReplyFrame>((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))))
    ws.send(Buffer.from([1, 2, 3]))
    expect((await binary).reply).toMatchObject({
      ok: false,
      error: { message: 'Messages must be JSON text, not binary.' },
    })
    expect((await exchange(ws, JSON.stringify({ id: 9, cmd: 'listScenarios' }), 9)).reply.ok).toBe(true)
    ws.close()
  })

  it('closes a socket that sends a frame over the size limit (1009) without harming the others', async () => {
    const other = await open()
    const ws = await open()
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    ws.on('error', () => undefined)
    ws.send('x'.repeat(MAX_FRAME_BYTES + 1))
    expect(await closed).toBe(1009)
    expect((await exchange(other, JSON.stringify({ id: 1, cmd: 'snapshot' }), 1)).reply.ok).toBe(true)
    other.close()
  })

  it('pushes every tick to a connected client as an event frame', async () => {
    const ws = await open()
    const tick = await new Promise<ServerFrame>((resolve) => {
      ws.on('message', (d) => {
        const frame = JSON.parse(d.toString()) as ServerFrame
        if ('event' in frame) resolve(frame)
      })
    })
    expect(tick).toMatchObject({ event: 'tick' })
    if ('event' in tick && tick.event === 'tick') {
      expect(typeof tick.payload.t).toBe('number')
      expect(Array.isArray(tick.payload.samples)).toBe(true)
    }
    ws.close()
  })

  it('a run started over the socket shows its units in the ticks, and close() ends the server', async () => {
    const ws = await open()
    const seen = new Set<string>()
    const gotUnits = new Promise<void>((resolve) => {
      ws.on('message', (d) => {
        const frame = JSON.parse(d.toString()) as ServerFrame
        if ('event' in frame && frame.event === 'tick')
          for (const u of frame.payload.units) if (u.runId) seen.add(u.kind)
        if (seen.has('thread')) resolve()
      })
    })
    const started = await exchange(
      ws,
      JSON.stringify({ id: 1, cmd: 'start', payload: { scenario: 'counters', params: { mode: 'thread' } } }),
      1,
    )
    expect(started.reply.ok).toBe(true)
    await gotUnits
    ws.close()
  })
})

describe('frames sent together', () => {
  it('are answered one per turn of the event loop, so a timer that falls due runs between two of them', async () => {
    // A command that holds the loop (as starting a run does while it spawns): 60 ms of synchronous work.
    const order: string[] = []
    const busy = new Proxy(lab, {
      get(target, key, receiver) {
        if (key !== 'listScenarios') return Reflect.get(target, key, receiver) as unknown
        return async () => {
          order.push('command')
          const until = performance.now() + 60
          while (performance.now() < until);
          return target.listScenarios()
        }
      },
    })
    const own = await startWebServer({ lab: busy, rendererDir })
    const ws = await new Promise<WebSocket>((resolve, reject) => {
      const s = new WebSocket(`ws://127.0.0.1:${own.port}/ws?token=${own.token}`, { origin: own.origin })
      s.once('open', () => resolve(s))
      s.once('error', reject)
    })
    const timer = setInterval(() => order.push('timer'), 10)
    const count = 4
    const replies = new Promise<void>((resolve) => {
      let n = 0
      ws.on('message', (d) => {
        if ('id' in (JSON.parse(d.toString()) as ServerFrame) && ++n === count) resolve()
      })
    })
    // In one go: the frames reach the lab in one read.
    for (let id = 1; id <= count; id++) ws.send(JSON.stringify({ id, cmd: 'listScenarios' }))
    await replies
    clearInterval(timer)
    ws.close()
    await own.close()
    const commands = order.flatMap((what, i) => (what === 'command' ? [i] : []))
    expect(commands.length).toBe(count)
    // Between each command and the next, the overdue timer ran.
    for (let k = 1; k < commands.length; k++) expect(order.slice(commands[k - 1], commands[k])).toContain('timer')
  })
})

describe('flooding clients', () => {
  it('a client that floods without reading is throttled: others are answered, its replies are not held, and none is lost', async () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const flood = await open()
    flood.pause()
    gc()
    const rss0 = process.memoryUsage.rss()
    const count = 5000
    for (let i = 1; i <= count; i++) flood.send(JSON.stringify({ id: i, cmd: 'listScenarios' }))
    await new Promise((r) => setTimeout(r, 1500))
    const other = await open()
    const reply = await exchange(other, JSON.stringify({ id: 1, cmd: 'snapshot' }), 1)
    expect(reply.reply.ok).toBe(true)
    other.close()
    gc()
    const grownMb = (process.memoryUsage.rss() - rss0) / 2 ** 20
    // Unthrottled, 5,000 catalog replies (over 10 kB each) would sit in the lab's memory.
    const oneReply = Buffer.byteLength(JSON.stringify(await lab.listScenarios()))
    expect(oneReply).toBeGreaterThan(5000)
    expect(grownMb).toBeLessThan((count * oneReply) / 2 ** 20 / 3)
    const got = new Set<number>()
    flood.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as ServerFrame
      if ('id' in frame) got.add(frame.id)
    })
    flood.resume()
    await expect.poll(() => got.size, { timeout: 60_000, interval: 100 }).toBe(count)
    flood.close()
  }, 90_000)
})
