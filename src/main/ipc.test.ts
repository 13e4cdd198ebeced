// The IPC binding against a stand-in for Electron's ipcMain and a real Lab: sender checks, payload checks, ticks pushed.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { COMMANDS } from '../shared/contract'
import type { Tick } from '../shared/model'

type Handler = (event: unknown, payload: unknown) => Promise<unknown>
const handlers = new Map<string, Handler>()

vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: Handler) => handlers.set(channel, fn),
    removeHandler: (channel: string) => handlers.delete(channel),
  },
}))

const { bindLabToIpc } = await import('./ipc')
const { Lab } = await import('./lab/lab')

const APP = 'app://lab/index.html'
const isAppUrl = (url: string): boolean => url.startsWith('app://lab/')
const frame = (url: string, parent: unknown = null): unknown => ({ senderFrame: { url, parent } })

const sent: { channel: string; payload: unknown; url: string }[] = []
const contents = (url: string): unknown => ({
  isDestroyed: () => false,
  getURL: () => url,
  send: (channel: string, payload: unknown) => sent.push({ channel, payload, url }),
})

let lab: InstanceType<typeof Lab>
let unbind: () => void

beforeAll(() => {
  lab = new Lab({ intervalMs: 100 })
  unbind = bindLabToIpc(lab, {
    isAppUrl,
    targets: () => [contents(APP), contents('https://elsewhere.example/')] as never,
  })
})

afterAll(async () => {
  unbind()
  await lab.close()
})

describe('bindLabToIpc', () => {
  it('registers one handler per command and nothing else', () => {
    expect([...handlers.keys()].sort()).toEqual(COMMANDS.map((c) => `lab:${c}`).sort())
  })

  it('answers the app frame with the Reply envelope', async () => {
    const reply = (await handlers.get('lab:snapshot')!(frame(APP), undefined)) as {
      ok: boolean
      value: { pid: number }
    }
    expect(reply.ok).toBe(true)
    expect(reply.value.pid).toBe(process.pid)
  })

  it('refuses other pages, subframes and destroyed frames before the lab sees anything', async () => {
    for (const event of [
      frame('https://evil.example/'),
      frame(APP, { url: APP }),
      { senderFrame: null },
      frame('file:///etc/passwd'),
    ]) {
      expect(await handlers.get('lab:setSamplingInterval')!(event, { ms: 1000 })).toEqual({
        ok: false,
        error: { code: 'invalid', message: 'Only the Parallel Lab window may talk to the lab.' },
      })
    }
    expect((await lab.snapshot()).intervalMs).toBe(100)
  })

  it('validates payloads and returns readable sentences', async () => {
    expect(await handlers.get('lab:kill')!(frame(APP), { unitId: 7 })).toMatchObject({
      ok: false,
      error: { field: 'unitId', message: 'unitId must be a string (got 7).' },
    })
    expect(await handlers.get('lab:stop')!(frame(APP), { runId: 'r404' })).toMatchObject({
      ok: false,
      error: { code: 'not-found', message: 'There is no run "r404".' },
    })
  })

  it('pushes ticks to the app window only', async () => {
    await vi.waitFor(() => expect(sent.length).toBeGreaterThan(0), { timeout: 5000 })
    expect(sent.every((s) => s.url === APP && s.channel === 'lab:event:tick')).toBe(true)
    expect(typeof (sent[0].payload as Tick).t).toBe('number')
  })

  it('unbinding removes every handler', () => {
    unbind()
    expect(handlers.size).toBe(0)
    unbind = () => undefined
  })
})
