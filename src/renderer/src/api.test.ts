import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LabError } from '../../shared/contract'
import { pageRefused, REFUSED, socketConnection, socketUrl, toLabError } from './api'

describe('toLabError', () => {
  it('keeps a LabError and rebuilds one from the info a transport carries', () => {
    const e = new LabError('conflict', 'Run r1 has already ended (done).', 'runId')
    expect(toLabError(e)).toBe(e)
    const info = toLabError({
      code: 'invalid',
      message: 'workers must be a whole number from 1 to 16 (got 99).',
      field: 'workers',
      errors: [{ field: 'workers', message: 'x' }],
    })
    expect(info).toBeInstanceOf(LabError)
    expect(info).toMatchObject({ code: 'invalid', field: 'workers', errors: [{ field: 'workers', message: 'x' }] })
  })

  it("strips Electron's remote-method prefix so the sentence reads on its own", () => {
    const e = toLabError(new Error('Error invoking remote method \'lab:start\': Error: There is no scenario "x".'))
    expect(e.code).toBe('failed')
    expect(e.message).toBe('There is no scenario "x".')
  })
})

describe('socketUrl', () => {
  it('repeats the page token on the socket path, with the matching scheme', () => {
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:5123', search: '?token=a-b_c' })).toBe(
      'ws://127.0.0.1:5123/ws?token=a-b_c',
    )
    expect(socketUrl({ protocol: 'https:', host: 'localhost:1', search: '' })).toBe('wss://localhost:1/ws?token=')
  })
})

/** A socket the server turns away: it never opens, and closes as a refused upgrade does in a browser (1006). */
class RefusedSocket {
  static OPEN = 1
  static made = 0
  readyState = 0
  onopen: (() => void) | null = null
  onmessage: ((ev: unknown) => void) | null = null
  onclose: ((ev: { code: number }) => void) | null = null
  constructor(readonly url: string) {
    RefusedSocket.made++
    setTimeout(() => {
      this.readyState = 3
      this.onclose?.({ code: 1006 })
    }, 0)
  }
  send(): void {
    throw new Error('never open')
  }
}

describe('socketConnection', () => {
  beforeEach(() => {
    RefusedSocket.made = 0
    vi.stubGlobal('WebSocket', RefusedSocket)
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('a page the server refuses (stale token) says so and stops retrying; its calls fail with the reason', async () => {
    const conn = socketConnection('ws://127.0.0.1:1/ws?token=old', async () => true)
    const states: [string, string | null][] = []
    conn.onState((s, reason) => states.push([s, reason]))
    const call = conn.api.snapshot().catch((e: Error) => e)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(states.at(-1)).toEqual(['refused', REFUSED])
    expect(RefusedSocket.made).toBe(1)
    expect(((await call) as Error).message).toBe(REFUSED)
    await expect(conn.api.listScenarios()).rejects.toThrow(REFUSED)
  })

  it('a server that does not answer is a lost connection: it retries', async () => {
    const conn = socketConnection('ws://127.0.0.1:1/ws?token=t', async () => false)
    const states: [string, string | null][] = []
    conn.onState((s, reason) => states.push([s, reason]))
    await vi.advanceTimersByTimeAsync(2_000)
    expect(states).toContainEqual(['closed', 'The connection to the lab was lost.'])
    expect(RefusedSocket.made).toBeGreaterThanOrEqual(3)
  })
})

describe('pageRefused', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('asks for the page itself: 401 or 403 is a refusal; an answer or no server at all is not', async () => {
    for (const [status, refused] of [
      [401, true],
      [403, true],
      [200, false],
      [503, false],
    ] as const) {
      vi.stubGlobal(
        'fetch',
        vi.fn(async () => ({ status })),
      )
      expect(await pageRefused('http://127.0.0.1:1/?token=x')).toBe(refused)
    }
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))),
    )
    expect(await pageRefused('http://127.0.0.1:1/?token=x')).toBe(false)
  })
})
